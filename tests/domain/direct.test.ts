import { TooLargeError } from '../../src/domain/errors';
import { CONNECT_GRACE_MS } from '../../src/domain/model';
import { sendDirect } from '../../src/domain/use-cases/direct';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenSecondTab } from './given';

describe('sendDirect', () => {
  it('delivers a direct frame to every open connection of the user and to no one else', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    await givenConnected(deps, 'bob-1');
    deps.notifier.clear();

    const delivered = await sendDirect(deps, ada.user.userId, { note: 'hi' });

    const expected = { type: 'direct', message: { note: 'hi' }, sentAt: deps.clock.now().toISOString() };
    expect(delivered).toBe(2);
    expect(deps.notifier.framesFor('ada-1')).toEqual([expected]);
    expect(deps.notifier.framesFor('ada-2')).toEqual([expected]);
    expect(deps.notifier.framesFor('bob-1')).toEqual([]);
  });

  it('delivers to nobody, and says 0, for a user without connections', async () => {
    const deps = createMemoryDependencies();

    expect(await sendDirect(deps, 'nobody', 'hi')).toBe(0);
  });

  it('does not count a gone connection, and removes it', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.markGone('ada-1');
    deps.clock.advance(CONNECT_GRACE_MS + 1);

    const delivered = await sendDirect(deps, ada.user.userId, 'hi');

    expect(delivered).toBe(1);
    expect(await deps.connections.get('ada-1')).toBeUndefined();
    expect(await deps.connections.listByUser(ada.user.userId)).toHaveLength(1);
  });

  it('keeps a gone connection that is still within its connect grace', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    deps.notifier.markGone('ada-1');

    const delivered = await sendDirect(deps, ada.user.userId, 'hi');

    expect(delivered).toBe(0);
    expect(await deps.connections.get('ada-1')).toBeDefined();
  });

  it('still delivers to the user’s other connections when a send to one of them fails', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.markFailing('ada-1');

    const delivered = await sendDirect(deps, ada.user.userId, 'hi').catch(() => 'threw');

    expect(deps.notifier.framesOfType('ada-2', 'direct')).toHaveLength(1);
    expect(delivered).toBe(1);
  });

  it('refuses a message over 16 KB with too_large and sends nothing', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    deps.notifier.clear();

    await expect(sendDirect(deps, ada.user.userId, 'x'.repeat(16 * 1024))).rejects.toBeInstanceOf(TooLargeError);
    expect(deps.notifier.attempts).toBe(0);
  });
});
