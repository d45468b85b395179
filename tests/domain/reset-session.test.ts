import { HandshakeRejectedError } from '../../src/domain/errors';
import type { PresenceFrame } from '../../src/domain/frames';
import { DEFAULT_ROOM, topicChannel } from '../../src/domain/model';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { resetSession } from '../../src/domain/use-cases/reset-session';
import { whoIsHere } from '../../src/domain/use-cases/who';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, givenSecondTab } from './given';

/** Each presence frame as who joined and who left, by user id. */
function changes(frames: PresenceFrame[]): Array<{ joined: string[]; left: string[] }> {
  return frames.map((frame) => ({
    joined: (frame.joined ?? []).map((user) => user.userId),
    left: (frame.left ?? []).map((user) => user.userId),
  }));
}

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

  it('marks the old and the new user in the connection’s rooms, and announces the swap in one frame', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada', room: 'kitchen' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    const moved = await resetSession(deps, 'ada-1');
    expect(deps.presenceChanges.pending).toEqual(
      expect.arrayContaining([
        { room: DEFAULT_ROOM, userId: ada.user.userId },
        { room: DEFAULT_ROOM, userId: moved.userId, joinedBy: 'ada-1' },
        { room: 'kitchen', userId: ada.user.userId },
        { room: 'kitchen', userId: moved.userId, joinedBy: 'ada-1' },
      ]),
    );
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      {
        type: 'presence',
        room: DEFAULT_ROOM,
        tick: 2,
        count: 2,
        joined: [{ userId: moved.userId, name: moved.name }],
        left: [{ userId: ada.user.userId, name: 'Ada' }],
      },
    ]);
    // The connection is the new user now: it hears that its old user left (so its roster drops the old
    // identity), never of its own join.
    expect(changes(deps.notifier.framesOfType('ada-1', 'presence'))).toEqual([
      { joined: [], left: [ada.user.userId] },
      { joined: [], left: [ada.user.userId] },
    ]);
  });

  it('files the new user’s connection so that closing it announces the new user’s leave', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'ada-1');
    const moved = await resetSession(deps, 'ada-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await disconnect(deps, 'ada-1');
    await givenPresenceAnnounced(deps);

    expect(changes(deps.notifier.framesOfType('bob-1', 'presence'))).toEqual([{ joined: [], left: [moved.userId] }]);
  });

  it('does not tell the old user’s other tabs that they left', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    const moved = await resetSession(deps, 'ada-1');
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('ada-2', 'presence')).toEqual([]);
    expect(changes(deps.notifier.framesOfType('bob-1', 'presence'))).toEqual([
      { joined: [moved.userId], left: [ada.user.userId] },
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
    await givenPresenceAnnounced(deps);

    const moved = await resetSession(deps, 'ada-1');
    await givenPresenceAnnounced(deps);

    expect(await deps.connections.get('ada-2')).toBeUndefined();
    expect(await deps.connections.listByUser(ada.user.userId)).toEqual([]);
    expect(await deps.subscriptions.isSubscribed(topicChannel('news'), 'ada-2')).toBe(false);
    expect((await whoIsHere(deps)).users.map((user) => user.userId).sort()).toEqual(
      [moved.userId, (await deps.connections.get('bob-1'))!.userId].sort(),
    );
    expect(deps.notifier.closed).toEqual(['ada-2']);
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM).map((user) => user.userId)).not.toContain(ada.user.userId);
    expect(await deps.connections.get('ada-1')).toEqual(moved);
  });

  it('stops, leaving no user behind, when the connection closes during the reset, and announces the old user’s leave once', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const create = deps.users.create.bind(deps.users);
    let fresh: string | undefined;
    deps.users.create = async (user) => {
      fresh = user.userId;
      await disconnect(deps, 'ada-1'); // the socket closes between the old user's deletion and the move
      return create(user);
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');
    await givenPresenceAnnounced(deps);

    expect(fresh).toBeDefined();
    expect(await deps.users.get(String(fresh))).toBeUndefined();
    expect(await deps.connections.get('ada-1')).toBeUndefined();
    expect(changes(deps.notifier.framesOfType('bob-1', 'presence'))).toEqual([{ joined: [], left: [ada.user.userId] }]);
  });

  it('announces the old user’s leave once when the connection closed before the reset deleted the user', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const remove = deps.users.delete.bind(deps.users);
    deps.users.delete = async (userId) => {
      if (userId === ada.user.userId) await disconnect(deps, 'ada-1');
      return remove(userId);
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');
    await givenPresenceAnnounced(deps);

    expect(changes(deps.notifier.framesOfType('bob-1', 'presence'))).toEqual([{ joined: [], left: [ada.user.userId] }]);
  });

  it('never leaves the new user present when the connection closes right after the move', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const reassign = deps.connections.reassign.bind(deps.connections);
    let fresh: string | undefined;
    deps.connections.reassign = async (connection, previous) => {
      const moved = await reassign(connection, previous);
      fresh = connection.userId;
      await disconnect(deps, 'ada-1'); // closes right after the move, before the reset marks anything
      return moved;
    };

    await expect(resetSession(deps, 'ada-1')).rejects.toThrow('closed during the reset');
    await givenPresenceAnnounced(deps);

    expect(changes(deps.notifier.framesOfType('bob-1', 'presence'))).toEqual([{ joined: [], left: [ada.user.userId] }]);
    expect(await deps.users.get(String(fresh))).toBeUndefined();
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM).map((user) => user.userId)).toEqual([
      (await deps.connections.get('bob-1'))!.userId,
    ]);
  });

  it('announces nothing wrong whichever order the worker sees a reset and a close racing in', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await Promise.allSettled([resetSession(deps, 'ada-1'), disconnect(deps, 'ada-1')]);
    // The changes arrive in reverse order, as a queue may deliver them.
    deps.presenceChanges.pending.reverse();
    await givenPresenceAnnounced(deps);

    const bob = (await deps.connections.get('bob-1'))!.userId;
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM).map((user) => user.userId)).toEqual([bob]);
    const told = changes(deps.notifier.framesOfType('bob-1', 'presence'));
    expect(told.flatMap((change) => change.left)).toEqual([ada.user.userId]);
  });
});
