import { HmacTokenSigner } from '../../src/adapters/crypto/hmac-token-signer';
import type { Clock } from '../../src/domain/ports/clock';

const SECRET = 'a-server-secret-of-enough-length';
const HOUR = 3_600_000;

class SettableClock implements Clock {
  constructor(public time: number) {}
  now(): Date {
    return new Date(this.time);
  }
}

function signer(clock: Clock, secret = SECRET, maxAgeMs = 24 * HOUR): HmacTokenSigner {
  return new HmacTokenSigner({ secret: async () => secret, clock, maxAgeMs });
}

describe('HmacTokenSigner', () => {
  const issuedAt = new Date('2026-12-01T10:00:00Z');
  let clock: SettableClock;
  beforeEach(() => {
    clock = new SettableClock(issuedAt.getTime() + HOUR);
  });

  it('verifies its own token and returns the claims it signed', async () => {
    const tokens = signer(clock);
    const token = await tokens.issue({ userId: 'user-7ü', issuedAt });

    expect(await tokens.verify(token)).toEqual({ userId: 'user-7ü', issuedAt });
  });

  it('refuses a token signed with another secret', async () => {
    const foreign = await signer(clock, 'another-secret-of-enough-length').issue({ userId: 'user-1', issuedAt });

    expect(await signer(clock).verify(foreign)).toBeUndefined();
  });

  it('refuses a token whose user or time was changed after signing', async () => {
    const tokens = signer(clock);
    const [version, , time, signature] = (await tokens.issue({ userId: 'user-1', issuedAt })).split('.');
    const otherUser = Buffer.from('user-2').toString('base64url');
    const [, user] = (await tokens.issue({ userId: 'user-1', issuedAt })).split('.');
    const later = (issuedAt.getTime() + HOUR).toString(36);

    expect(await tokens.verify([version, otherUser, time, signature].join('.'))).toBeUndefined();
    expect(await tokens.verify([version, user, later, signature].join('.'))).toBeUndefined();
  });

  it('refuses garbled tokens', async () => {
    const tokens = signer(clock);
    const good = await tokens.issue({ userId: 'user-1', issuedAt });

    for (const garbled of [
      '',
      'x',
      'v1.a.b',
      `${good}.extra`,
      good.replace(/^v1/, 'v2'),
      good.slice(0, -1),
      `${good.slice(0, -2)}==`,
    ]) {
      expect(await tokens.verify(garbled)).toBeUndefined();
    }
  });

  it('refuses an expired token and accepts one just inside its age', async () => {
    const tokens = signer(clock, SECRET, 2 * HOUR);
    const token = await tokens.issue({ userId: 'user-1', issuedAt });

    clock.time = issuedAt.getTime() + 2 * HOUR;
    expect(await tokens.verify(token)).toBeDefined();
    clock.time = issuedAt.getTime() + 2 * HOUR + 1;
    expect(await tokens.verify(token)).toBeUndefined();
  });

  it('refuses a token issued in the future beyond a minute of clock skew', async () => {
    const tokens = signer(clock);
    clock.time = issuedAt.getTime();

    expect(
      await tokens.verify(await tokens.issue({ userId: 'u', issuedAt: new Date(issuedAt.getTime() + 30_000) })),
    ).toBeDefined();
    expect(
      await tokens.verify(await tokens.issue({ userId: 'u', issuedAt: new Date(issuedAt.getTime() + 61_000) })),
    ).toBeUndefined();
  });

  it('refuses a short secret, and reads the secret again after a failed read', async () => {
    await expect(signer(clock, 'short').issue({ userId: 'u', issuedAt })).rejects.toThrow('at least 16 characters');

    let reads = 0;
    const flaky = new HmacTokenSigner({
      secret: async () => {
        reads += 1;
        if (reads === 1) throw new Error('secret store unavailable');
        return SECRET;
      },
      clock,
      maxAgeMs: HOUR,
    });
    await expect(flaky.issue({ userId: 'u', issuedAt })).rejects.toThrow('secret store unavailable');
    await expect(flaky.issue({ userId: 'u', issuedAt })).resolves.toMatch(/^v1\./);
    await flaky.issue({ userId: 'u', issuedAt });
    expect(reads).toBe(2);
  });
});
