import { CHAT_ROOM, DEFAULT_ROOM, roomChannel, topicChannel } from '../../src/domain/model';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, givenSecondTab } from './given';

describe('disconnect', () => {
  it('removes the connection and every subscription it had', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1', { topicName: 'news' });

    const removed = await disconnect(deps, 'c1');

    expect(removed).toBe(true);
    expect(await deps.connections.get('c1')).toBeUndefined();
    expect(await deps.subscriptions.isSubscribed(CHAT_ROOM, 'c1')).toBe(false);
    expect(await deps.subscriptions.isSubscribed(topicChannel('news'), 'c1')).toBe(false);
  });

  it('marks the user changed in every room the connection was in, and in no topic', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { room: 'kitchen', topicName: 'news' });
    deps.presenceChanges.takeAll();

    await disconnect(deps, 'ada-1');

    expect(deps.presenceChanges.pending).toEqual([
      { room: DEFAULT_ROOM, userId: ada.user.userId },
      { room: 'kitchen', userId: ada.user.userId },
    ]);
    expect(await deps.subscriptions.isSubscribed(roomChannel('kitchen'), 'ada-1')).toBe(false);
    expect(deps.notifier.attempts).toBe(0);
  });

  it('is idempotent: a second disconnect changes nothing and marks nothing', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'ada-1');
    await disconnect(deps, 'ada-1');
    deps.presenceChanges.takeAll();

    const removedAgain = await disconnect(deps, 'ada-1');

    expect(removedAgain).toBe(false);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it('announces one leave when a $disconnect and a 410 clean-up race', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'ada-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    const results = await Promise.all([disconnect(deps, 'ada-1'), disconnect(deps, 'ada-1')]);
    await givenPresenceAnnounced(deps);

    expect(results.sort()).toEqual([false, true]);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toHaveLength(1);
  });

  it('announces a leave to the others when the user’s last connection closes', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesFor('bob-1')).toEqual([
      { type: 'presence', room: DEFAULT_ROOM, tick: 2, count: 1, left: [{ userId: ada.user.userId, name: 'Ada' }] },
    ]);
  });

  it('does not announce a leave while the user still has another connection in the room', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.sent).toEqual([]);
  });

  it('announces one join and one leave for two tabs of one user, and neither to the user', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    await givenSecondTab(deps, 'ada-2', ada);
    await givenPresenceAnnounced(deps);
    await disconnect(deps, 'ada-1');
    await givenPresenceAnnounced(deps);
    await disconnect(deps, 'ada-2');
    await givenPresenceAnnounced(deps);

    const frames = deps.notifier.framesOfType('bob-1', 'presence');
    expect(frames.map((frame) => [frame.joined?.map((u) => u.name), frame.left?.map((u) => u.name)])).toEqual([
      [['Ada'], undefined],
      [undefined, ['Ada']],
    ]);
    expect(deps.notifier.sent.every((sent) => sent.connectionId === 'bob-1')).toBe(true);
  });

  it('announces the leave even when the user’s last two tabs close together', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await Promise.all([disconnect(deps, 'ada-1'), disconnect(deps, 'ada-2')]);
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      expect.objectContaining({ count: 1, left: [{ userId: ada.user.userId, name: 'Ada' }] }),
    ]);
  });
});
