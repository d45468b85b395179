import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../domain/ports/clock';
import type { TokenClaims, TokenSigner } from '../../domain/ports/token-signer';

export interface HmacTokenSignerOptions {
  /** The server secret; anyone without it cannot make a token that verifies. */
  secret: string;
  clock: Clock;
  /** A token older than this is refused (the session TTL: an older session is gone anyway). */
  maxAgeMs: number;
}

const VERSION = 'v1';

/** Tokens of the form `v1.{userId}.{issuedAt base36}.{HMAC-SHA256 base64url}`. */
export class HmacTokenSigner implements TokenSigner {
  constructor(private readonly options: HmacTokenSignerOptions) {
    if (options.secret.length < 16) throw new Error('The token secret must be at least 16 characters');
  }

  issue({ userId, issuedAt }: TokenClaims): string {
    const payload = `${VERSION}.${encode(userId)}.${issuedAt.getTime().toString(36)}`;
    return `${payload}.${this.sign(payload)}`;
  }

  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, encodedUser = '', issuedAtText = '', signature = ''] = parts;
    const expected = Buffer.from(this.sign(`${VERSION}.${encodedUser}.${issuedAtText}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const issuedAt = parseInt(issuedAtText, 36);
    const age = this.options.clock.now().getTime() - issuedAt;
    if (!Number.isFinite(issuedAt) || age > this.options.maxAgeMs || age < -60_000) return undefined;
    return { userId: Buffer.from(encodedUser, 'base64url').toString('utf8'), issuedAt: new Date(issuedAt) };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.options.secret).update(payload).digest('base64url');
  }
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
