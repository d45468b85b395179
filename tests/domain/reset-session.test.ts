import { HandshakeRejectedError } from '../../src/domain/errors';
import { topicChannel } from '../../src/domain/model';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { legacyEvent, legacyPresence } from '../../src/domain/use-cases/legacy-presence';
import { resetSession } from '../../src/domain/use-cases/reset-session';
import { whoIsHere } from '../../src/domain/use-cases/who';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenSecondTab } from './given';

describe('resetSession', () => {
  it('moves the connection to a new user at cursor 0 and keeps its subscriptions', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada', topicName: 'news' });

    const moved = await resetSession(deps, 'ada-1');

    expect(moved.userId).not.toBe(ada.user.userId);
    expect(await deps.connections.get('ada-1')).toEqual(moved);
    expect(await deps.users.get(moved.userId)).toMatchObject({ cursor: 0 });
    expect(await deps.users.get(ada.user.userId)).toBeUndefined();
    expect(await deps.subscriptions.isSubscribed(topicChannel('news'), 'ada-1')).toBe(true);
    expect(await deps.connections.listByUser(moved.userId)).toEqual([moved]);
  });

  it('refuses the old token from then on', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    const oldToken = await deps.tokens.issue({ userId: ada.user.userId, issuedAt: deps.clock.now() });

    await resetSession(deps, 'ada-1');

    await expect(givenConnected(deps, 'ada-2', { token: oldToken })).rejects.toBeInstanceOf(HandshakeRejectedError);
  });

  it('announces the old user’s leave and the new user’s join to the others', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();

    const moved = await resetSession(deps, 'ada-1');

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
      legacyPresence('join', { userId: moved.userId, name: moved.name }),
    ]);
    expect(deps.notifier.framesFor('ada-1')).toEqual([]);
  });

  it('counts the new user’s connection, so that closing it announces a leave', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'ada-1');
    const moved = await resetSession(deps, 'ada-1');
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');

    expect(deps.users.openConnections(moved.userId)).toBe(0);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: moved.userId, name: moved.name }),
    ]);
  });

  it('does not tell the old user’s other tabs that they left', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    deps.notifier.clear();

    await resetSession(deps, 'ada-1');

    expect(deps.notifier.framesOfType('ada-2', 'presence')).toEqual([]);
    expect(deps.notifier.framesOfType('bob-1', 'presence').map((frame) => legacyEvent(frame).event)).toEqual([
      'leave',
      'join',
    ]);
  });

  it('ends the old user’s other tabs: their records go and they are closed, so who and presence agree', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada', topicName: 'news' });
    await givenSecondTab(deps, 'ada-2', ada);
    await deps.subscriptions.subscribe(topicChannel('news'), (await deps.connections.get('ada-2'))!, {
      counter: 'topics',
      limit: 10,
    });

    const moved = await resetSession(deps, 'ada-1');

    expect(await deps.connections.get('ada-2')).toBeUndefined();
    expect(await deps.connections.listByUser(ada.user.userId)).toEqual([]);
    expect(await deps.subscriptions.isSubscribed(topicChannel('news'), 'ada-2')).toBe(false);
    expect((await whoIsHere(deps)).users.map((user) => user.userId).sort()).toEqual(
      [moved.userId, (await deps.connections.get('bob-1'))!.userId].sort(),
    );
    expect(deps.notifier.closed).toEqual(['ada-2']);
    expect(
      deps.notifier.framesOfType('bob-1', 'presence').filter((frame) => legacyEvent(frame).event === 'leave'),
    ).toHaveLength(1);
    expect(await deps.connections.get('ada-1')).toEqual(moved);
  });

  it('stops, leaving no user behind, when the connection closes during the reset, and announces the old user’s leave once', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();
    const create = deps.users.create.bind(deps.users);
    let fresh: string | undefined;
    deps.users.create = async (user) => {
      fresh = user.userId;
      await disconnect(deps, 'ada-1'); // the socket closes between the old user's deletion and the move
      return create(user);
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');

    expect(fresh).toBeDefined();
    expect(await deps.users.get(String(fresh))).toBeUndefined();
    expect(await deps.connections.get('ada-1')).toBeUndefined();
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
    ]);
  });

  it('announces the old user’s leave once when the connection closed before the reset deleted the user', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();
    const remove = deps.users.delete.bind(deps.users);
    deps.users.delete = async (userId) => {
      if (userId === ada.user.userId) await disconnect(deps, 'ada-1'); // counted down and announced before the delete
      return remove(userId);
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      legacyPresence('leave', { userId: ada.user.userId, name: 'Ada' }),
    ]);
  });

  it('never leaves the new user present when the connection closes right after the move', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();
    const count = deps.users.addConnections.bind(deps.users);
    deps.users.addConnections = async (userId, delta) => {
      if (userId !== ada.user.userId && delta === 1) await disconnect(deps, 'ada-1'); // before the new user is counted
      return count(userId, delta);
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');

    const presence = deps.notifier.framesOfType('bob-1', 'presence');
    expect(presence.map((frame) => legacyEvent(frame).event)).toEqual(['leave', 'join', 'leave']);
    const fresh = presence[1] && legacyEvent(presence[1]).user.userId;
    expect(presence[2] && legacyEvent(presence[2]).user.userId).toBe(fresh);
    expect(await deps.users.get(String(fresh))).toBeUndefined();
  });
});
