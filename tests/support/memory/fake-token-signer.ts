import type { TokenClaims, TokenSigner } from '../../../src/domain/ports/token-signer';

const TOKEN = /^signed:(.+):(\d+)$/;

/**
 * Readable tokens `signed:<userId>:<issuedAt ms>`. Anything else counts as forged, which is all the
 * domain needs to know about signing; the real HMAC lives in an adapter with its own tests.
 */
export class FakeTokenSigner implements TokenSigner {
  async issue(claims: TokenClaims): Promise<string> {
    return `signed:${claims.userId}:${claims.issuedAt.getTime()}`;
  }

  async verify(token: string): Promise<TokenClaims | undefined> {
    const match = TOKEN.exec(token);
    if (!match?.[1] || !match[2]) return undefined;
    return { userId: match[1], issuedAt: new Date(Number(match[2])) };
  }
}
