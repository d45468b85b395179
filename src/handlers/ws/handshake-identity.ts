import type { SignedInIdentity } from '../../domain/signed-in-identity';
import type { WebSocketEvent } from './ws-event';

/** How `$connect` learns who connects (template parameter `AuthMode`). */
export type AuthMode = 'anonymous' | 'jwt' | 'iam';

/**
 * The identity API Gateway established before `$connect` ran: the authorizer's context (`jwt`), or the
 * SigV4 signer (`iam`: the Cognito identity id, else the caller's ARN). `undefined` in `anonymous` mode. In
 * a signed-in mode a handshake without one cannot happen in AWS (the gateway refuses it first); it is
 * treated as unsigned and refused by the caller.
 */
export function handshakeIdentity(
  mode: AuthMode,
  context: WebSocketEvent['requestContext'],
): SignedInIdentity | null | undefined {
  if (mode === 'anonymous') return undefined;
  if (mode === 'iam') {
    const subject = context.identity?.cognitoIdentityId || context.identity?.userArn;
    return subject ? { method: 'iam', subject } : null;
  }
  const { sub, name, exp } = context.authorizer ?? {};
  if (typeof sub !== 'string' || sub === '') return null;
  const expiresAt = Number(exp);
  return {
    method: 'jwt',
    subject: sub,
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    ...(Number.isFinite(expiresAt) && expiresAt > 0 ? { expiresAt: new Date(expiresAt * 1000) } : {}),
  };
}
