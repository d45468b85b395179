import type { SignedInIdentity } from '../signed-in-identity';

/**
 * Checks a sign-in token (a JWT from the deployment's identity provider) and says whose it is. Anything it
 * cannot vouch for (expired, not yet valid, another issuer or audience, a bad or missing signature, an
 * unknown key) is an {@link InvalidIdentityTokenError}; the caller refuses the handshake and logs the reason.
 */
export interface IdentityTokenVerifier {
  verify(token: string): Promise<SignedInIdentity>;
}
