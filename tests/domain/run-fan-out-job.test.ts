import type { FanOutJob } from '../../src/domain/fan-out/fan-out-job';
import { planFanOut } from '../../src/domain/fan-out/fan-out-plan';
import type { ServerFrame } from '../../src/domain/frames';
import { CONNECT_GRACE_MS, type Connection } from '../../src/domain/model';
import { publish } from '../../src/domain/use-cases/publish';
import {
  type FanOutJobDependencies,
  type FanOutWorkerSettings,
  runFanOutJob,
} from '../../src/domain/use-cases/run-fan-out-job';
import { subscribe } from '../../src/domain/use-cases/subscribe';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

const CHANNEL = 'topic:news';
const FRAME: ServerFrame = { type: 'pong', at: '2024-05-01T12:00:00.000Z' };
const WORKER: FanOutWorkerSettings = {
  callsInFlight: 5,
  subscribersPerJob: 7,
  pageSize: 3,
  backoff: { attempts: 4, baseMs: 10, maxMs: 100 },
};

async function givenSubscribers(deps: MemoryDependencies, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `c${String(index + 1).padStart(4, '0')}`);
  for (const connectionId of ids) {
    const connection: Connection = {
      connectionId,
      userId: `u-${connectionId}`,
      name: connectionId,
      connectedAt: '',
      resumed: false,
    };
    await deps.subscriptions.subscribe(CHANNEL, connection);
  }
  return ids;
}

function worker(
  deps: MemoryDependencies,
  settings: Partial<FanOutWorkerSettings> = {},
  pauses: number[] = [],
): FanOutJobDependencies {
  return {
    deps,
    shards: deps.subscriberShards,
    queue: deps.fanOutQueue,
    notifier: deps.notifier,
    pause: async (ms) => {
      pauses.push(ms);
    },
    random: () => 0.5,
    settings: { ...WORKER, ...settings },
  };
}

/** Runs queued jobs as the workers would, until the queue is empty. */
async function drain(deps: MemoryDependencies, io = worker(deps)): Promise<number> {
  let jobs = 0;
  for (let job = deps.fanOutQueue.take(); job; job = deps.fanOutQueue.take()) {
    await runFanOutJob(io, job);
    jobs += 1;
  }
  return jobs;
}

describe('runFanOutJob', () => {
  it('delivers every subscriber of every shard exactly once, in bounded jobs chained by cursor', async () => {
    const deps = createMemoryDependencies();
    const ids = await givenSubscribers(deps, 100);
    const plan = planFanOut(CHANNEL, FRAME, 100, { directMax: 10, maxShards: 4, subscribersPerJob: 7 });
    if (plan.mode !== 'queued') throw new Error('expected a queued plan');
    await deps.fanOutQueue.enqueue(plan.jobs);

    const jobs = await drain(deps);

    expect(deps.notifier.sent.map((s) => s.connectionId).sort()).toEqual(ids);
    expect(jobs).toBeGreaterThanOrEqual(Math.ceil(100 / 7));
    expect(deps.notifier.maxInFlight).toBeLessThanOrEqual(WORKER.callsInFlight);
  });

  it('retries a throttled (429) send with backoff and jitter, and delivers it', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 3);
    deps.notifier.throttle('c0002', 2);
    const pauses: number[] = [];

    const result = await runFanOutJob(worker(deps, {}, pauses), {
      channel: CHANNEL,
      frame: FRAME,
      shard: { index: 0, of: 1 },
      cursor: null,
    });

    expect(result).toMatchObject({ delivered: 3, failed: 0, retries: 2 });
    expect(pauses).toEqual([5, 10]);
    expect(deps.notifier.framesFor('c0002')).toHaveLength(1);
  });

  it('counts a send still throttled after every attempt as failed, and goes on with the others', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 3);
    deps.notifier.throttle('c0001', 10);

    const result = await runFanOutJob(worker(deps), {
      channel: CHANNEL,
      frame: FRAME,
      shard: { index: 0, of: 1 },
      cursor: null,
    });

    expect(result).toMatchObject({ delivered: 2, failed: 1, retries: 3 });
  });

  it('removes a connection that is gone (410)', async () => {
    const deps = createMemoryDependencies({ now: '2024-05-01T12:00:00.000Z' });
    const { connection } = await givenConnected(deps, 'gone-1');
    await subscribe(deps, { connectionId: connection.connectionId, topic: 'news' });
    deps.clock.advance(CONNECT_GRACE_MS + 1);
    deps.notifier.markGone('gone-1');

    const result = await runFanOutJob(worker(deps), {
      channel: CHANNEL,
      frame: FRAME,
      shard: { index: 0, of: 1 },
      cursor: null,
    });

    expect(result).toMatchObject({ delivered: 0, gone: 1 });
    await expect(deps.subscriptions.isSubscribed(CHANNEL, 'gone-1')).resolves.toBe(false);
  });

  it('run again after it died (the queue redelivers it), a job sends its slice again and forks no second chain', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 10);
    const job: FanOutJob = { channel: CHANNEL, frame: FRAME, shard: { index: 0, of: 1 }, cursor: null };
    deps.notifier.markFailing('c0005');
    const io = worker(deps);
    // A first run that dies before it is done: its continuation is never enqueued.
    io.queue = { enqueue: () => Promise.reject(new Error('the worker died')) };
    await expect(runFanOutJob(io, job)).rejects.toThrow('the worker died');

    await deps.fanOutQueue.enqueue([job]);
    await drain(deps);

    const counts = new Map<string, number>();
    for (const { connectionId } of deps.notifier.sent) counts.set(connectionId, (counts.get(connectionId) ?? 0) + 1);
    expect(counts.get('c0001')).toBe(2);
    expect(counts.get('c0010')).toBe(1);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
  });

  it('past its stop time, starts no further page and hands the rest of its slice on, losing no one', async () => {
    const deps = createMemoryDependencies();
    const ids = await givenSubscribers(deps, 10);
    const job: FanOutJob = { channel: CHANNEL, frame: FRAME, shard: { index: 0, of: 1 }, cursor: null };
    const stopBy = new Date(deps.clock.now().getTime() - 1);

    const first = await runFanOutJob(worker(deps), job, stopBy);
    const sentByFirst = deps.notifier.sent.length;
    await drain(deps);

    // One page (3) instead of the slice's 7, then the rest through continuations, each subscriber once.
    expect([first.pagesRead, first.delivered, sentByFirst]).toEqual([1, 3, 3]);
    expect(first.continuation).not.toBeNull();
    expect(deps.notifier.sent.map((s) => s.connectionId).sort()).toEqual(ids);
  });

  it('with time to spare, delivers its whole slice', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 10);
    const job: FanOutJob = { channel: CHANNEL, frame: FRAME, shard: { index: 0, of: 1 }, cursor: null };

    const result = await runFanOutJob(worker(deps), job, new Date(deps.clock.now().getTime() + 60_000));

    expect([result.pagesRead, result.delivered]).toEqual([3, 7]);
  });

  it('skips the excluded connection', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 4);

    const result = await runFanOutJob(worker(deps), {
      channel: CHANNEL,
      frame: FRAME,
      shard: { index: 0, of: 1 },
      cursor: null,
      exclude: 'c0003',
    });

    expect(result.delivered).toBe(3);
    expect(deps.notifier.framesFor('c0003')).toEqual([]);
  });
});

describe('publish to a large topic', () => {
  it('stores the message, answers at once and leaves delivery to the fan-out jobs', async () => {
    const deps = createMemoryDependencies({
      settings: { fanOutPlan: { directMax: 5, maxShards: 4, subscribersPerJob: 7 } },
    });
    const ids = await givenSubscribers(deps, 30);

    const result = await publish(deps, { topic: 'news', message: { n: 1 }, from: null });

    expect(result.fanOut).toEqual({ delivered: 0, gone: 0, failed: 0, queuedJobs: 4 });
    expect(deps.notifier.sent).toEqual([]);
    await drain(deps);
    expect(deps.notifier.sent.map((s) => s.connectionId).sort()).toEqual(ids);
    expect(deps.notifier.sent.every((s) => s.frame.type === 'message' && s.frame.seq === result.seq)).toBe(true);
  });

  it('delivers a small topic in place, as before', async () => {
    const deps = createMemoryDependencies({
      settings: { fanOutPlan: { directMax: 5, maxShards: 4, subscribersPerJob: 7 } },
    });
    await givenSubscribers(deps, 5);

    const result = await publish(deps, { topic: 'news', message: { n: 1 }, from: null });

    expect(result.fanOut).toEqual({ delivered: 5, gone: 0, failed: 0, queuedJobs: 0 });
    expect(deps.fanOutQueue.enqueued).toBe(0);
  });
});
