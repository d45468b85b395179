import type { PresenceFrame } from '../../src/domain/frames';
import { DEFAULT_ROOM } from '../../src/domain/model';
import { RoomBusyError } from '../../src/domain/presence/room-busy-error';
import { announcePresence } from '../../src/domain/use-cases/announce-presence';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, givenSecondTab, presenceWorkerPorts } from './given';

const INTERVAL_MS = 1000;

function presenceDeps(rosterMax = 1000): MemoryDependencies {
  return createMemoryDependencies({ settings: { presence: { intervalMs: INTERVAL_MS, rosterMax } } });
}

/** Records when (by the virtual clock) each presence frame reached each connection. */
function timeSends(deps: MemoryDependencies): Array<{ connectionId: string; at: number; frame: PresenceFrame }> {
  const times: Array<{ connectionId: string; at: number; frame: PresenceFrame }> = [];
  const send = deps.notifier.send.bind(deps.notifier);
  deps.notifier.send = async (connectionId, frame) => {
    if (frame.type === 'presence') times.push({ connectionId, at: deps.clock.now().getTime(), frame });
    return send(connectionId, frame);
  };
  return times;
}

describe('announcePresence', () => {
  it('announces a change delivered twice once, in one batch or in two', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    const change = { room: DEFAULT_ROOM, userId: ada.user.userId };

    await announcePresence(presenceWorkerPorts(deps), [
      { id: 'a', change },
      { id: 'b', change },
    ]);
    deps.clock.advance(INTERVAL_MS);
    await announcePresence(presenceWorkerPorts(deps), [{ id: 'c', change }]);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      expect.objectContaining({ joined: [{ userId: ada.user.userId, name: 'Ada' }] }),
    ]);
  });

  it('never reports as joined a user who joined and left within the interval, in either order of changes', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await givenConnected(deps, 'ada-1');
    await disconnect(deps, 'ada-1');
    const [join, leave] = deps.presenceChanges.takeAll();
    await announcePresence(presenceWorkerPorts(deps), [{ id: 'leave', change: leave! }]);
    await announcePresence(presenceWorkerPorts(deps), [{ id: 'join', change: join! }]);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([]);
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM)).toHaveLength(1);
  });

  it('gives each member at most one presence frame per room per interval during a burst, carrying every join', async () => {
    const deps = presenceDeps();
    for (let i = 0; i < 5; i += 1) await givenConnected(deps, `early-${i}`);
    await givenPresenceAnnounced(deps);
    const sends = timeSends(deps);

    // 60 users arrive 50 ms apart; the worker gets batches of 4 changes as they come (a busy queue), so many
    // batches fall inside one interval and must wait for the room's claim.
    for (let i = 0; i < 60; i += 1) {
      await givenConnected(deps, `burst-${i}`);
      deps.clock.advance(50);
      if (deps.presenceChanges.pending.length >= 4) await givenPresenceAnnounced(deps);
    }
    await givenPresenceAnnounced(deps);

    const toEarly = sends.filter((send) => send.connectionId === 'early-0');
    for (let i = 1; i < toEarly.length; i += 1) {
      expect(toEarly[i]!.at - toEarly[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL_MS);
    }
    // Coalesced: fewer frames than joins, each carrying every join of its interval.
    expect(toEarly.length).toBeLessThan(60 / 3);
    expect(toEarly.flatMap((send) => send.frame.joined ?? [])).toHaveLength(60);
    expect(toEarly.map((send) => send.frame.tick)).toEqual(
      [...toEarly.map((send) => send.frame.tick)].sort((a, b) => a - b),
    );
    expect(toEarly.at(-1)?.frame.count).toBe(65);
  });

  it('switches a room past the roster threshold to counts only', async () => {
    const deps = presenceDeps(3);
    await givenConnected(deps, 'm-0');
    await givenConnected(deps, 'm-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await givenConnected(deps, 'm-2');
    deps.clock.advance(INTERVAL_MS);
    await givenPresenceAnnounced(deps);
    await givenConnected(deps, 'm-3');
    await givenConnected(deps, 'm-4');
    deps.clock.advance(INTERVAL_MS);
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('m-0', 'presence')).toEqual([
      expect.objectContaining({ count: 3, joined: [expect.objectContaining({ userId: 'id-3' })] }),
      { type: 'presence', room: DEFAULT_ROOM, tick: 3, count: 5 },
    ]);
  });

  it('sends the count again when the worker that recorded a change stopped before telling a room of counts', async () => {
    const deps = presenceDeps(1);
    await givenConnected(deps, 'bob-1');
    await givenConnected(deps, 'cy-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    const [change] = deps.presenceChanges.takeAll();
    const record = deps.presenceLedger.record.bind(deps.presenceLedger);
    deps.presenceLedger.record = async (room, tick, announced) => {
      await record(room, tick, announced);
      throw new Error('the worker stopped after its record');
    };

    const first = await announcePresence(presenceWorkerPorts(deps), [{ id: 'a', change: change! }]);
    deps.presenceLedger.record = record;
    deps.clock.advance(INTERVAL_MS);
    const again = await announcePresence(presenceWorkerPorts(deps), [{ id: 'a', change: change! }]);
    deps.clock.advance(INTERVAL_MS);
    const quiet = await announcePresence(presenceWorkerPorts(deps), [{ id: 'a', change: change! }]);

    expect(first.failed).toEqual(['a']);
    expect([again.frames, quiet.frames]).toEqual([1, 0]);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      { type: 'presence', room: DEFAULT_ROOM, tick: 3, count: 3 },
    ]);
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM).map((user) => user.userId)).toContain(ada.user.userId);
  });

  it('fails only the changes of a room whose processing fails; the other rooms of the batch are announced', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const ada = await givenConnected(deps, 'ada-1', { room: 'broken' });
    const claim = deps.presenceLedger.claim.bind(deps.presenceLedger);
    deps.presenceLedger.claim = async (room, now, intervalMs) => {
      if (room === 'broken') throw new Error('the table is unavailable');
      return claim(room, now, intervalMs);
    };

    const result = await announcePresence(presenceWorkerPorts(deps), [
      { id: 'lobby', change: { room: DEFAULT_ROOM, userId: ada.user.userId } },
      { id: 'broken', change: { room: 'broken', userId: ada.user.userId } },
    ]);

    expect(result.failed).toEqual(['broken']);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toHaveLength(1);
  });

  it('waits for busy rooms within one budget for the whole batch, not one per room, to finish inside its timeout', async () => {
    const deps = presenceDeps();
    const ada = await givenConnected(deps, 'ada-1');
    deps.presenceChanges.takeAll();
    deps.presenceLedger.claim = async (_room, now) => ({ claimed: false, until: new Date(now.getTime() + 500) });
    const started = deps.clock.now().getTime();

    // More rooms than the worker takes at once, so that some wait after others in the same lane.
    const rooms = Array.from({ length: 20 }, (_, i) => `room-${i}`);
    const result = await announcePresence(
      presenceWorkerPorts(deps),
      rooms.map((room) => ({ id: room, change: { room, userId: ada.user.userId } })),
    );

    expect(result.failed.sort()).toEqual([...rooms].sort());
    expect(deps.clock.now().getTime() - started).toBeLessThanOrEqual(21_000);
  });

  it('hands a room back when another worker keeps it claimed past the bounded wait', async () => {
    const deps = presenceDeps();
    const ada = await givenConnected(deps, 'ada-1');
    deps.presenceChanges.takeAll();
    deps.presenceLedger.claim = async (_room, now) => ({ claimed: false, until: new Date(now.getTime() + 500) });

    const result = await announcePresence(presenceWorkerPorts(deps), [
      { id: 'x', change: { room: DEFAULT_ROOM, userId: ada.user.userId } },
    ]);

    expect(result.failed).toEqual(['x']);
    expect(result.errors[0]?.error).toBeInstanceOf(RoomBusyError);
  });

  it('lets one worker at a time compare and record a room, also when a worker overruns its interval', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    const [adaChange] = deps.presenceChanges.takeAll();

    // Worker A stalls while it reads what the room was told (a slow table), past the end of its interval.
    let resume: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const announced = deps.presenceLedger.announced.bind(deps.presenceLedger);
    let stalls = 1;
    deps.presenceLedger.announced = async (room, userIds) => {
      if (stalls-- > 0) await stalled;
      return announced(room, userIds);
    };
    const first = announcePresence(presenceWorkerPorts(deps), [{ id: 'a', change: adaChange! }]);
    await new Promise((resolve) => setImmediate(resolve));
    deps.clock.advance(2 * INTERVAL_MS);

    // Worker B, for another user of the room, must wait for A rather than read the room under it.
    const carl = await givenConnected(deps, 'carl-1', { name: 'Carl' });
    const [carlChange] = deps.presenceChanges.takeAll();
    let waited = 0;
    const second = announcePresence(
      {
        ...presenceWorkerPorts(deps),
        pause: async (ms) => {
          waited += 1;
          deps.clock.advance(ms);
          resume();
          await first;
        },
      },
      [{ id: 'c', change: carlChange! }],
    );
    await Promise.all([first, second]);

    const frames = deps.notifier.framesOfType('bob-1', 'presence');
    expect(waited).toBeGreaterThan(0);
    expect(frames.map((frame) => frame.joined?.map((user) => user.userId))).toEqual([
      [ada.user.userId],
      [carl.user.userId],
    ]);
    expect(frames.at(-1)?.count).toBe(3);
  });

  it('announces arrivals from their joining connections alone, reading no user’s connections', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    const arrivals = [];
    for (let i = 0; i < 20; i += 1) arrivals.push(await givenConnected(deps, `new-${i}`, { name: `New ${i}` }));
    const listByUser = jest.spyOn(deps.connections, 'listByUser');

    deps.clock.advance(INTERVAL_MS);
    await givenPresenceAnnounced(deps);

    expect(listByUser).not.toHaveBeenCalled();
    expect(deps.notifier.framesOfType('bob-1', 'presence').at(-1)).toEqual(
      expect.objectContaining({
        count: 21,
        joined: arrivals.map(({ user }, i) => ({ userId: user.userId, name: `New ${i}` })),
      }),
    );
  });

  it('reads the user’s connections when the joining one has left: another tab still keeps the user there', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    await givenSecondTab(deps, 'ada-2', ada);
    await disconnect(deps, 'ada-2');
    const listByUser = jest.spyOn(deps.connections, 'listByUser');
    deps.clock.advance(INTERVAL_MS);
    await givenPresenceAnnounced(deps);

    expect(listByUser).toHaveBeenCalledWith(ada.user.userId);
    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([]);
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM)).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: ada.user.userId, name: 'Ada' })]),
    );
  });

  it('takes a joining connection that now belongs to another user (a reset) as no sign of the first', async () => {
    const deps = presenceDeps();
    const bob = await givenConnected(deps, 'bob-1', { name: 'Bob' });
    await givenPresenceAnnounced(deps);
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await disconnect(deps, 'ada-1');
    deps.presenceChanges.takeAll();

    deps.clock.advance(INTERVAL_MS);
    const result = await announcePresence(presenceWorkerPorts(deps), [
      { id: 'x', change: { room: DEFAULT_ROOM, userId: ada.user.userId, joinedBy: 'bob-1' } },
    ]);

    expect(result).toEqual({ failed: [], errors: [], frames: 0 });
    expect(deps.presenceLedger.announcedIn(DEFAULT_ROOM).map((user) => user.userId)).toEqual([bob.user.userId]);
  });

  it('names a user with several memberships after the newest connection, as who does', async () => {
    const deps = presenceDeps();
    await givenConnected(deps, 'bob-1');
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.clock.advance(10);
    await givenSecondTab(deps, 'ada-2', ada, 'Bea');

    deps.clock.advance(INTERVAL_MS);
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toEqual([
      expect.objectContaining({ joined: [{ userId: ada.user.userId, name: 'Bea' }] }),
    ]);
  });
});
