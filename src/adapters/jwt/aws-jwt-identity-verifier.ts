import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { InvalidIdentityTokenError } from '../../domain/errors';
import type { IdentityTokenVerifier } from '../../domain/ports/identity-token-verifier';
import type { SignedInIdentity } from '../../domain/signed-in-identity';
import { LoopbackHttpFetcher } from './loopback-http-fetcher';

export interface AwsJwtIdentityVerifierOptions {
  /** The `iss` every token must carry exactly (a Cognito user pool's is `https://cognito-idp.{region}.amazonaws.com/{poolId}`). */
  issuer: string;
  /** The `aud` a token must carry (for Cognito ID tokens, the app client id). */
  audience: string;
  /** Where the issuer publishes its signing keys; by OIDC convention `{issuer}/.well-known/jwks.json`. */
  jwksUrl: string;
  /** The claim that holds the display name (`name`, `preferred_username`, `cognito:username`...). */
  nameClaim: string;
}

/** Subjects longer than this are refused: the user id goes into table keys and URLs. */
const MAX_SUBJECT_LENGTH = 255;

/**
 * Verifies JWTs from any OIDC issuer with aws-jwt-verify: signature against the issuer's JWKS (RS/ES/PS
 * algorithms only, so `alg: none` and HMAC tokens are refused), `iss`, `aud`, `exp` and `nbf`. One instance
 * per container keeps the JWKS cached across invocations; an unknown `kid` refetches the JWKS at most once
 * in a while (the library's penalty box), so a flood of forged kids does not become a flood of fetches.
 */
export class AwsJwtIdentityVerifier implements IdentityTokenVerifier {
  private readonly verifier;

  constructor(private readonly options: AwsJwtIdentityVerifierOptions) {
    this.verifier = JwtVerifier.create(
      { issuer: options.issuer, audience: options.audience, jwksUri: options.jwksUrl },
      { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackHttpFetcher() }) },
    );
  }

  async verify(token: string): Promise<SignedInIdentity> {
    const payload = await this.verifier.verify(token).catch((error: unknown) => {
      throw new InvalidIdentityTokenError(
        // aws-jwt-verify's errors keep `name` "Error"; their class says which check failed.
        error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unverifiable',
        { cause: error },
      );
    });
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
      throw new InvalidIdentityTokenError('the token has no usable sub claim');
    }
    if (typeof exp !== 'number') throw new InvalidIdentityTokenError('the token has no exp claim');
    const name = payload[this.options.nameClaim];
    return {
      method: 'jwt',
      subject: sub,
      expiresAt: new Date(exp * 1000),
      ...(typeof name === 'string' ? { name } : {}),
    };
  }
}
