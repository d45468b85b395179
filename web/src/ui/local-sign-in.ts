import type { TokenProvider } from '@switchboard/client';
import { settings } from './settings';

/** Who the page signs in as, with the local issuer: the token's subject, its name claim, and how long tokens live. */
export interface LocalUser {
  sub: string;
  name: string;
  ttlSeconds: number;
}

/** The sign-in of a page served by `npm start -- --auth jwt`: the user it signs in as, and their tokens. */
export interface LocalSignIn {
  current(): LocalUser | undefined;
  signIn(user: LocalUser): void;
  signOut(): void;
  /** Mints a fresh token for the current user at the local issuer, for the client's `token` option. */
  token: TokenProvider;
}

/** Thrown by the token provider when nobody is signed in, or the issuer refuses or cannot be reached. */
export class LocalSignInError extends Error {
  override name = 'LocalSignInError';
}

/**
 * Sign-in against the local OIDC issuer's mint endpoint (named by `/config.json`): a test identity, no
 * password. The user is remembered in localStorage; each handshake and each refresh mints a new token.
 */
export function createLocalSignIn(mintUrl: string): LocalSignIn {
  let user = parseUser(settings.signIn());
  return {
    current: () => user,
    signIn: (next) => {
      user = next;
      settings.saveSignIn(next);
    },
    signOut: () => {
      user = undefined;
      settings.saveSignIn(null);
    },
    token: async () => {
      const who = user;
      if (!who) throw new LocalSignInError('nobody is signed in');
      let response: Response;
      try {
        response = await fetch(mintUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: who.sub, name: who.name, expiresInSeconds: who.ttlSeconds }),
        });
      } catch {
        throw new LocalSignInError('the local issuer cannot be reached');
      }
      const answer = (await response.json().catch(() => ({}))) as { token?: unknown; message?: unknown };
      if (!response.ok || typeof answer.token !== 'string')
        throw new LocalSignInError(typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`);
      return answer.token;
    },
  };
}

function parseUser(value: unknown): LocalUser | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { sub, name, ttlSeconds } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || typeof name !== 'string') return undefined;
  return { sub, name, ttlSeconds: typeof ttlSeconds === 'number' && ttlSeconds > 0 ? ttlSeconds : 3600 };
}
