import type { ServerFrame } from '../../src/domain/frames';
import { CHAT_ROOM } from '../../src/domain/model';
import { sendChat } from '../../src/domain/use-cases/chat';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { resetSession } from '../../src/domain/use-cases/reset-session';
import { runFanOutJob } from '../../src/domain/use-cases/run-fan-out-job';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, givenSecondTab } from './given';

// A room of more than 3 goes through the queue, in at most 2 shards of jobs of 2 subscribers each.
const PLAN = { directMax: 3, maxShards: 2, subscribersPerJob: 2 };

function largeRoomDeps(): MemoryDependencies {
  return createMemoryDependencies({ settings: { fanOutPlan: PLAN } });
}

/** Runs the queued jobs as the fan-out workers would, until the queue is empty; returns how many ran. */
async function drain(deps: MemoryDependencies): Promise<number> {
  let jobs = 0;
  for (let job = deps.fanOutQueue.take(); job; job = deps.fanOutQueue.take()) {
    await runFanOutJob(
      {
        deps,
        shards: deps.subscriberShards,
        queue: deps.fanOutQueue,
        notifier: deps.notifier,
        pause: async () => undefined,
        random: () => 0.5,
        settings: {
          callsInFlight: 3,
          subscribersPerJob: PLAN.subscribersPerJob,
          pageSize: 2,
          backoff: { attempts: 2, baseMs: 1, maxMs: 1 },
        },
      },
      job,
    );
    jobs += 1;
  }
  return jobs;
}

/** Six users in the room, and a second tab of the first; their joins delivered. */
async function givenLargeRoom(deps: MemoryDependencies) {
  const users = [];
  for (let i = 1; i <= 6; i += 1) {
    users.push(await givenConnected(deps, `c${i}`));
    await givenPresenceAnnounced(deps);
    await drain(deps);
  }
  const secondTab = await givenSecondTab(deps, 'c1b', users[0] as (typeof users)[number]);
  await givenPresenceAnnounced(deps);
  await drain(deps);
  deps.notifier.clear();
  return { users, secondTab };
}

const framesOf = (deps: MemoryDependencies, type: ServerFrame['type']) =>
  deps.notifier.sent.filter((s) => s.frame.type === type);
const receivers = (sent: { connectionId: string }[]) => sent.map((s) => s.connectionId).sort();

describe('chat and presence in a room larger than FanOutDirectMax', () => {
  it("a `send` goes through the fan-out queue to every connection but the sender's, the sender's other tab included", async () => {
    const deps = largeRoomDeps();
    await givenLargeRoom(deps);

    const result = await sendChat(deps, { connectionId: 'c1', text: 'hello all', echoToSender: false });

    expect(result.queuedJobs).toBe(2);
    expect(deps.notifier.sent).toEqual([]);
    expect(deps.fanOutQueue.jobs.every((job) => job.channel === CHAT_ROOM && job.exclude === 'c1')).toBe(true);
    await drain(deps);
    expect(receivers(framesOf(deps, 'chat'))).toEqual(['c1b', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('a `sendmessage` reaches the sender too', async () => {
    const deps = largeRoomDeps();
    await givenLargeRoom(deps);

    await sendChat(deps, { connectionId: 'c2', text: 'echo', echoToSender: true });
    await drain(deps);

    expect(receivers(framesOf(deps, 'chat'))).toEqual(['c1', 'c1b', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it("a join and a leave go through the queue to everyone but the user's own connections", async () => {
    const deps = largeRoomDeps();
    await givenLargeRoom(deps);

    const { user } = await givenConnected(deps, 'c7');
    expect(deps.fanOutQueue.jobs).toEqual([]);
    await givenPresenceAnnounced(deps);
    expect(deps.fanOutQueue.jobs.length).toBeGreaterThan(0);
    await drain(deps);
    const joins = framesOf(deps, 'presence');
    expect(receivers(joins)).toEqual(['c1', 'c1b', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(joins.map((s) => s.frame)).toEqual(
      joins.map(() =>
        expect.objectContaining({ count: 7, joined: [{ userId: user.userId, name: expect.any(String) }] }),
      ),
    );

    deps.notifier.clear();
    await disconnect(deps, 'c7');
    await givenPresenceAnnounced(deps);
    expect(deps.notifier.sent).toEqual([]);
    await drain(deps);
    expect(receivers(framesOf(deps, 'presence'))).toEqual(['c1', 'c1b', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('a reset announces the leave and the join through the queue in one frame', async () => {
    const deps = largeRoomDeps();
    const { users } = await givenLargeRoom(deps);
    const old = users[1]?.user.userId as string;

    const moved = await resetSession(deps, 'c2');
    await givenPresenceAnnounced(deps);
    await drain(deps);

    const presence = framesOf(deps, 'presence');
    expect(presence.filter((s) => s.connectionId === 'c3').map((s) => s.frame)).toEqual([
      expect.objectContaining({
        joined: [{ userId: moved.userId, name: moved.name }],
        left: [expect.objectContaining({ userId: old })],
      }),
    ]);
    // The reset connection is the new user: it hears its old user left, never of its own join.
    expect(presence.filter((s) => s.connectionId === 'c2').map((s) => s.frame)).toEqual([
      expect.not.objectContaining({ joined: expect.anything() }),
    ]);
  });
});
