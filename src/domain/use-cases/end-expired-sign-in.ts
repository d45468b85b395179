import type { Dependencies } from '../dependencies';
import type { ErrorFrame } from '../frames';
import { isPastConnectGrace, MAX_CONNECTION_MS } from '../model';
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
 * connection (its `$disconnect` removes its records, as for any close). It reads the connection first: one
 * that has closed meanwhile (or is another sign-in under the same id) costs that one read and is never asked
 * about again. Called early (the timer could not wait that long), it asks to be called again, but not past
 * the connection's 2-hour limit, when API Gateway has closed it anyway. One that API Gateway no longer knows
 * (410) has its records removed, as every delivery does.
 */
export async function endExpiredSignIn(deps: EndExpiredSignInPorts, check: SignInExpiryCheck): Promise<ExpiryOutcome> {
  const connection = await deps.connections.get(check.connectionId);
  if (connection?.signedIn?.expiresAt !== check.expiresAt) return 'gone';
  const now = deps.clock.now().getTime();
  if (Date.parse(check.expiresAt) > now) {
    if (now >= Date.parse(connection.connectedAt) + MAX_CONNECTION_MS) return 'gone';
    await deps.signInExpiry.schedule(check);
    return 'rescheduled';
  }
  if ((await deps.notifier.send(check.connectionId, TOKEN_EXPIRED_FRAME)) === 'gone') {
    if (isPastConnectGrace(connection, deps.clock.now(), deps.settings.connectGraceMs)) {
      await disconnect(deps, check.connectionId);
    }
    return 'gone';
  }
  await deps.notifier.close(check.connectionId);
  return 'ended';
}
