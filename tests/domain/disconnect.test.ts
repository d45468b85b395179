import { CHAT_ROOM, topicChannel } from '../../src/domain/model';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { legacyEvent, legacyPresence } from '../../src/domain/use-cases/legacy-presence';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenSecondTab } from './given';

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

  it('is idempotent: a second disconnect changes nothing and announces nothing', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1');
    await disconnect(deps, 'ada-1');
    deps.notifier.clear();

    const removedAgain = await disconnect(deps, 'ada-1');

    expect(removedAgain).toBe(false);
    expect(deps.notifier.sent).toEqual([]);
    expect(deps.users.openConnections(ada.user.userId)).toBe(0);
  });

  it('announces one leave when a $disconnect and a 410 clean-up race', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'ada-1');
    deps.notifier.clear();

    const results = await Promise.all([disconnect(deps, 'ada-1'), disconnect(deps, 'ada-1')]);

    expect(results.sort()).toEqual([false, true]);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toHaveLength(1);
  });

  it('announces a leave to the others when the user’s last connection closes', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');

    expect(deps.notifier.framesFor('bob-1')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
    ]);
  });

  it('does not announce a leave while the user still has another connection open', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');

    expect(deps.notifier.sent).toEqual([]);
    expect(deps.users.openConnections(ada.user.userId)).toBe(1);
  });

  it('announces the leave when the second of two connections closes, and not to the leaving user', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await disconnect(deps, 'ada-1');
    deps.notifier.clear();

    await disconnect(deps, 'ada-2');

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
    ]);
    expect(deps.notifier.sent.every((sent) => sent.connectionId === 'bob-1')).toBe(true);
  });

  it('heals a count that drifted above the open connections: the last close still announces the leave', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    // A third handshake counted itself and then failed: no $disconnect will ever come for it.
    deps.users.setOpenConnections(ada.user.userId, 3);
    await disconnect(deps, 'ada-1');
    deps.notifier.clear();

    await disconnect(deps, 'ada-2');

    expect(deps.users.openConnections(ada.user.userId)).toBe(0);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: ada.connection.name }),
    ]);
  });

  it('trusts the count while another connection of the user is open', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');

    expect(deps.users.openConnections(ada.user.userId)).toBe(1);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([]);
  });

  it('never counts below 0 when the last two tabs close together and one heals the count first', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.clear();
    // Both tabs' records go first; the second close counts only after the first has healed the count to 0.
    const count = deps.users.addConnections.bind(deps.users);
    let firstClose: Promise<boolean> | undefined;
    let calls = 0;
    deps.users.addConnections = async (userId, delta) => {
      calls += 1;
      if (calls === 2) await firstClose;
      return count(userId, delta);
    };

    firstClose = disconnect(deps, 'ada-1');
    await Promise.all([firstClose, disconnect(deps, 'ada-2')]);

    expect(deps.users.openConnections(ada.user.userId)).toBe(0);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
    ]);
    deps.users.addConnections = count;
    deps.notifier.clear();
    await givenSecondTab(deps, 'ada-3', ada);
    expect(deps.notifier.framesOfType('bob-1', 'presence').map((frame) => legacyEvent(frame).event)).toEqual(['join']);
  });
});
