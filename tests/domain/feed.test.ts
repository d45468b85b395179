import { runFeed, startFeed, stopFeed, type FeedPace } from '../../src/domain/use-cases/feed';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

const ARTICLE = 'abcdefghijklmnopqrstuvwxyz'; // 26 characters

function pace(overrides: Partial<FeedPace> = {}): FeedPace {
  return { intervalMs: 0, chunkSize: 10, sleep: async () => {}, timeToHandOff: () => false, ...overrides };
}

async function givenFeedStarted(deps: MemoryDependencies, connectionId = 'c1') {
  const { user } = await givenConnected(deps, connectionId);
  const job = await startFeed(deps, connectionId);
  deps.notifier.clear();
  return { user, job };
}

describe('tele-read feed', () => {
  it('teleread takes the user’s feed and schedules a worker for this connection', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user } = await givenConnected(deps, 'c1');

    const job = await startFeed(deps, 'c1');

    expect(deps.scheduler.jobs).toEqual([job]);
    expect(job).toMatchObject({ userId: user.userId, connectionId: 'c1' });
    expect(await deps.feeds.read(user.userId)).toEqual({ cursor: 0, leaseId: job.leaseId });
  });

  it('streams the article in chunks, each with the cursor after it, then feed-end', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);

    const outcome = await runFeed(deps, job, pace());

    expect(outcome).toBe('finished');
    expect(deps.notifier.framesFor('c1')).toEqual([
      { type: 'feed', text: 'abcdefghij', cursor: 10, total: 26 },
      { type: 'feed', text: 'klmnopqrst', cursor: 20, total: 26 },
      { type: 'feed', text: 'uvwxyz', cursor: 26, total: 26 },
      { type: 'feed-end', cursor: 26, total: 26 },
    ]);
    expect(await deps.feeds.read(user.userId)).toEqual({ cursor: 26 });
  });

  it('stop ends the stream at its next chunk and answers the position after the last delivered character', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    let stoppedAt: number | undefined;

    const outcome = await runFeed(deps, job, pace({ sleep: async () => { stoppedAt ??= await stopFeed(deps, 'c1'); } }));

    expect(outcome).toBe('stopped');
    expect(stoppedAt).toBe(10);
    expect(deps.notifier.framesOfType('c1', 'feed').map((frame) => frame.cursor)).toEqual([10]);
  });

  it('resumes from the saved cursor', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    await runFeed(deps, job, pace({ sleep: async () => { await stopFeed(deps, 'c1'); } }));
    const resumed = await startFeed(deps, 'c1');
    deps.notifier.clear();

    await runFeed(deps, resumed, pace());

    expect(deps.notifier.framesOfType('c1', 'feed')[0]).toEqual({ type: 'feed', text: 'klmnopqrst', cursor: 20, total: 26 });
  });

  it('gives the chunk back when the connection is gone, so the cursor counts only delivered characters', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);
    deps.notifier.markGone('c1');

    const outcome = await runFeed(deps, job, pace());

    expect(outcome).toBe('gone');
    expect((await deps.feeds.read(user.userId))?.cursor).toBe(0);
  });

  it('gives the chunk back and rethrows when a send fails', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);
    deps.notifier.markFailing('c1');

    await expect(runFeed(deps, job, pace())).rejects.toThrow();
    expect((await deps.feeds.read(user.userId))?.cursor).toBe(0);
  });

  it('stops the older stream when the same user starts another one', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    let takeover: Awaited<ReturnType<typeof startFeed>> | undefined;

    const outcome = await runFeed(deps, job, pace({ sleep: async () => { takeover ??= await startFeed(deps, 'c1'); } }));

    expect(outcome).toBe('stopped');
    expect(takeover?.leaseId).not.toBe(job.leaseId);
  });

  it('hands off before the invocation runs out of time, keeping the lease', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);
    let calls = 0;

    const outcome = await runFeed(deps, job, pace({ timeToHandOff: () => (calls += 1) > 1 }));

    expect(outcome).toBe('handed-off');
    expect(await deps.feeds.read(user.userId)).toEqual({ cursor: 10, leaseId: job.leaseId });
  });
});
