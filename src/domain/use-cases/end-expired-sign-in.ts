import type { Dependencies } from '../dependencies';
import type { ErrorFrame } from '../frames';
import { isPastConnectGrace } from '../model';
import type { SignInExpiryCheck } from '../ports/sign-in-expiry';
import { type DisconnectPorts, disconnect } from './disconnect';

export type EndExpiredSignInPorts = DisconnectPorts & Pick<Dependencies, 'notifier' | 'signInExpiry' | 'settings'>;

export type ExpiryOutcome = 'rescheduled' | 'ended' | 'gone';

/** What a connection hears last when its sign-in expires; the client gets a fresh token and reconnects. */
export const TOKEN_EXPIRED_FRAME: ErrorFrame = {
  type: 'error',
  code: 'token_expired',
  message: 'Your sign-in has expired; reconnect with a fresh token.',
};

/**
 * Ends a signed-in connection when its token expires: a `token_expired` frame, then the server closes the
 * connection (its `$disconnect` removes its records, as for any close). Called early (the timer could not
 * wait that long), it asks to be called again. A connection that has closed meanwhile costs one read; one
 * that API Gateway no longer knows (410) has its records removed, as every delivery does.
 */
export async function endExpiredSignIn(deps: EndExpiredSignInPorts, check: SignInExpiryCheck): Promise<ExpiryOutcome> {
  if (Date.parse(check.expiresAt) > deps.clock.now().getTime()) {
    await deps.signInExpiry.schedule(check);
    return 'rescheduled';
  }
  const connection = await deps.connections.get(check.connectionId);
  if (connection?.signedIn?.expiresAt !== check.expiresAt) return 'gone';
  if ((await deps.notifier.send(check.connectionId, TOKEN_EXPIRED_FRAME)) === 'gone') {
    if (isPastConnectGrace(connection, deps.clock.now(), deps.settings.connectGraceMs)) {
      await disconnect(deps, check.connectionId);
    }
    return 'gone';
  }
  await deps.notifier.close(check.connectionId);
  return 'ended';
}
