import { endExpiredSignIn, TOKEN_EXPIRED_FRAME } from '../../src/domain/use-cases/end-expired-sign-in';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, snapshotWrites } from './given';

const MINUTE = 60_000;

async function givenSignedIn(deps: ReturnType<typeof createMemoryDependencies>, connectionId: string, ttlMs: number) {
  const expiresAt = new Date(deps.clock.now().getTime() + ttlMs);
  await givenConnected(deps, connectionId, { identity: { method: 'jwt', subject: 'alice', expiresAt } });
  return expiresAt.toISOString();
}

describe('a signed-in connection whose token expires', () => {
  it('is scheduled for a check at its expiry by the handshake', async () => {
    const deps = createMemoryDependencies();

    const expiresAt = await givenSignedIn(deps, 'a1', 30 * MINUTE);

    expect(deps.signInExpiry.scheduled).toEqual([{ connectionId: 'a1', expiresAt }]);
  });

  it('leaves no record behind when its check cannot be scheduled (its $disconnect would never run)', async () => {
    const deps = createMemoryDependencies();
    deps.signInExpiry.failure = new Error('SQS is down');
    const before = snapshotWrites(deps);

    await expect(givenSignedIn(deps, 'a1', 30 * MINUTE)).rejects.toThrow('SQS is down');

    expect(snapshotWrites(deps)).toEqual(before);
    expect(deps.subscriptions.channelsOf('a1')).toEqual([]);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it('asks again when the check comes early, and touches nothing', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 30 * MINUTE);
    deps.clock.advance(15 * MINUTE);

    const outcome = await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt });

    expect(outcome).toBe('rescheduled');
    expect(deps.signInExpiry.scheduled).toHaveLength(2);
    expect(deps.notifier.attempts).toBe(0);
  });

  it('hears token_expired and is closed by the server at expiry', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 30 * MINUTE);
    deps.clock.advance(30 * MINUTE);

    const outcome = await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt });

    expect(outcome).toBe('ended');
    expect(deps.notifier.framesOfType('a1', 'error')).toEqual([TOKEN_EXPIRED_FRAME]);
    expect(deps.notifier.closed).toEqual(['a1']);
  });

  it('costs one read when the connection closed before its token expired', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', MINUTE);
    await deps.connections.remove('a1');
    deps.clock.advance(MINUTE);

    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('gone');
    expect(deps.notifier.attempts).toBe(0);
  });

  it('stops asking once the connection has closed, however far off its token’s expiry is', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 90 * MINUTE);
    await deps.connections.remove('a1');
    deps.clock.advance(15 * MINUTE);

    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('gone');
    expect(deps.signInExpiry.scheduled).toEqual([{ connectionId: 'a1', expiresAt }]);
    expect(deps.notifier.attempts).toBe(0);
  });

  it('stops asking for a check that belongs to another sign-in of the same connection id', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 90 * MINUTE);
    await deps.connections.remove('a1');
    await givenSignedIn(deps, 'a1', 60 * MINUTE);
    deps.clock.advance(15 * MINUTE);

    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('gone');
    expect(deps.signInExpiry.scheduled).toHaveLength(2);
  });

  it('stops asking at the connection’s 2-hour limit, when API Gateway has closed it, for a longer-lived token', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 24 * 60 * MINUTE);
    deps.clock.advance(105 * MINUTE);
    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('rescheduled');
    deps.clock.advance(15 * MINUTE);

    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('gone');
    expect(deps.signInExpiry.scheduled).toHaveLength(2);
    expect(deps.notifier.attempts).toBe(0);
  });

  it('removes the records of a connection API Gateway no longer knows (410), as every delivery does', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = await givenSignedIn(deps, 'a1', 30 * MINUTE);
    deps.notifier.markGone('a1');
    deps.clock.advance(30 * MINUTE);

    expect(await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt })).toBe('gone');
    expect(await deps.connections.get('a1')).toBeUndefined();
    expect(deps.notifier.closed).toEqual([]);
  });

  it('leaves an anonymous connection alone, even one with the same id', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'a1');

    const outcome = await endExpiredSignIn(deps, { connectionId: 'a1', expiresAt: deps.clock.now().toISOString() });

    expect(outcome).toBe('gone');
    expect(deps.notifier.attempts).toBe(0);
  });
});
