/**
 * Where session tokens are kept between runs, one per server URL, so a restarted page or process resumes
 * its user (same `userId`, feed cursor and name). Synchronous, so a handshake never waits on storage.
 */
export interface TokenStore {
  load(url: string): string | undefined;
  save(url: string, token: string): void;
  clear(url: string): void;
}

/** Tokens for this process only: a restart is a new user. */
export function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, string>();
  return {
    load: (url) => tokens.get(url),
    save: (url, token) => void tokens.set(url, token),
    clear: (url) => void tokens.delete(url),
  };
}

/** The subset of the Web Storage API a token store needs (`localStorage`, `sessionStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in browser storage (`localStorage` by default), under `prefix + url`. Storage that is missing or
 * throws (private mode, quota) only means the token is not remembered.
 */
export function webStorageTokenStore(storage?: WebStorageLike, prefix = 'switchboard.token:'): TokenStore {
  const target = (): WebStorageLike | undefined => {
    try {
      return storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
    } catch {
      return undefined;
    }
  };
  const attempt = <T>(action: (store: WebStorageLike) => T): T | undefined => {
    try {
      const store = target();
      return store ? action(store) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    load: (url) => attempt((store) => store.getItem(prefix + url)) ?? undefined,
    save: (url, token) => void attempt((store) => store.setItem(prefix + url, token)),
    clear: (url) => void attempt((store) => store.removeItem(prefix + url)),
  };
}
