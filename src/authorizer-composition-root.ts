import { AwsJwtIdentityVerifier } from './adapters/jwt/aws-jwt-identity-verifier';
import { type AuthorizerConfig, loadAuthorizerConfig } from './config';
import type { IdentityTokenVerifier } from './domain/ports/identity-token-verifier';

/**
 * The authorizer's composition root, apart from `composition-root.ts` because the authorizer runs before
 * every handshake and needs none of the AWS SDK clients that file builds: loading them would only lengthen
 * its cold starts. Made once per container, so the JWKS cache stays warm across invocations.
 */
export function createIdentityTokenVerifier(config: AuthorizerConfig = loadAuthorizerConfig()): IdentityTokenVerifier {
  return new AwsJwtIdentityVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUrl: config.JWT_JWKS_URL ?? `${config.JWT_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
    nameClaim: config.JWT_NAME_CLAIM,
  });
}
