import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../domain/ports/clock';
import type { TokenClaims, TokenSigner } from '../../domain/ports/token-signer';

export interface HmacTokenSignerOptions {
  /**
   * Yields the server secret; anyone without it cannot make a token that verifies. Called on first use
   * and cached, so functions that never touch a token never read the secret (nor need the permission).
   */
  secret: () => Promise<string>;
  clock: Clock;
  /** A token older than this is refused (the session TTL: an older session is gone anyway). */
  maxAgeMs: number;
}

const VERSION = 'v1';
const MIN_SECRET_LENGTH = 16;

/** Tokens of the form `v1.{userId base64url}.{issuedAt base36}.{HMAC-SHA256 base64url}`. */
export class HmacTokenSigner implements TokenSigner {
  private secret: Promise<string> | undefined;

  constructor(private readonly options: HmacTokenSignerOptions) {}

  async issue({ userId, issuedAt }: TokenClaims): Promise<string> {
    const payload = `${VERSION}.${encode(userId)}.${issuedAt.getTime().toString(36)}`;
    return `${payload}.${await this.sign(payload)}`;
  }

  async verify(token: string): Promise<TokenClaims | undefined> {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, encodedUser = '', issuedAtText = '', signature = ''] = parts;
    const expected = Buffer.from(await this.sign(`${VERSION}.${encodedUser}.${issuedAtText}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const issuedAt = parseInt(issuedAtText, 36);
    const age = this.options.clock.now().getTime() - issuedAt;
    if (!Number.isFinite(issuedAt) || age > this.options.maxAgeMs || age < -60_000) return undefined;
    return { userId: Buffer.from(encodedUser, 'base64url').toString('utf8'), issuedAt: new Date(issuedAt) };
  }

  private async sign(payload: string): Promise<string> {
    return createHmac('sha256', await this.loadSecret())
      .update(payload)
      .digest('base64url');
  }

  private loadSecret(): Promise<string> {
    this.secret ??= this.options.secret().then(
      (secret) => {
        if (secret.length < MIN_SECRET_LENGTH)
          throw new Error(`The token secret must be at least ${MIN_SECRET_LENGTH} characters`);
        return secret;
      },
      (error: unknown) => {
        this.secret = undefined;
        throw error;
      },
    );
    return this.secret;
  }
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
