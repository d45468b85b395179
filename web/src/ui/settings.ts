import { checkDisplayName, type TokenStore, webStorageTokenStore } from '@switchboard/client';

const KEYS = {
  url: 'switchboard.wsUrl',
  name: 'switchboard.name',
  autoDisconnect: 'switchboard.autoDisconnectSeconds',
  signIn: 'switchboard.signIn',
};

/** localStorage can be missing or throw (private mode, disabled storage): the page then just forgets. */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function read(key: string): string | undefined {
  try {
    return storage()?.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined || value === '') storage()?.removeItem(key);
    else storage()?.setItem(key, value);
  } catch {
    // Storage full or denied: nothing to remember, nothing to break.
  }
}

export const settings = {
  url: (): string | undefined => read(KEYS.url),
  saveUrl: (url: string): void => write(KEYS.url, url),
  /** A stored name the server would refuse (saved by an older page) is forgotten rather than sent. */
  name: (): string => {
    const check = checkDisplayName(read(KEYS.name) ?? '');
    if (check.ok) return check.name ?? '';
    write(KEYS.name, undefined);
    return '';
  },
  saveName: (name: string): void => write(KEYS.name, name),
  autoDisconnectSeconds: (): number => Number(read(KEYS.autoDisconnect) ?? 0) || 0,
  saveAutoDisconnectSeconds: (seconds: number): void =>
    write(KEYS.autoDisconnect, seconds > 0 ? String(seconds) : undefined),
  /** Who is signed in with the local issuer (JSON), so a reload stays signed in; what does not parse is forgotten. */
  signIn: (): unknown => {
    try {
      return JSON.parse(read(KEYS.signIn) ?? 'null');
    } catch {
      return null;
    }
  },
  saveSignIn: (value: unknown): void => write(KEYS.signIn, value === null ? undefined : JSON.stringify(value)),
};

/** Session tokens per server URL (`switchboard.token:<url>` in localStorage), so two servers' identities never mix. */
export const localTokenStore: TokenStore = webStorageTokenStore(undefined, 'switchboard.token:');
