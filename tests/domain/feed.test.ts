import { type FeedPace, runFeed, startFeed, stopFeed } from '../../src/domain/use-cases/feed';
import { hello } from '../../src/domain/use-cases/hello';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { StaticArticleSource } from '../support/memory/static-article-source';
import { givenConnected, givenSecondTab } from './given';

const ARTICLE = 'abcdefghijklmnopqrstuvwxyz'; // 26 characters

function pace(overrides: Partial<FeedPace> = {}): FeedPace {
  return { intervalMs: 0, chunkSize: 10, sleep: async () => {}, timeToHandOff: () => false, ...overrides };
}

const feedText = (deps: MemoryDependencies, connectionId: string) =>
  deps.notifier
    .framesOfType(connectionId, 'feed')
    .map((frame) => frame.text)
    .join('');

/** Reads `chunks` chunks, then stops, as a reader who went away would. */
async function givenRead(deps: MemoryDependencies, connectionId: string, chunks: number): Promise<void> {
  const job = await startFeed(deps, connectionId);
  let sent = 0;
  await runFeed(
    deps,
    job,
    pace({
      sleep: async () => {
        sent += 1;
        if (sent === chunks) await stopFeed(deps, connectionId);
      },
    }),
  );
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
    expect(await deps.feeds.read(user.userId)).toEqual({ cursor: 26, revision: 'rev-1' });
  });

  it('stop ends the stream at its next chunk and answers the position after the last delivered character', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    let stoppedAt: number | undefined;

    const outcome = await runFeed(
      deps,
      job,
      pace({
        sleep: async () => {
          stoppedAt ??= await stopFeed(deps, 'c1');
        },
      }),
    );

    expect(outcome).toBe('stopped');
    expect(stoppedAt).toBe(10);
    expect(deps.notifier.framesOfType('c1', 'feed').map((frame) => frame.cursor)).toEqual([10]);
  });

  it('resumes from the saved cursor', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    await runFeed(
      deps,
      job,
      pace({
        sleep: async () => {
          await stopFeed(deps, 'c1');
        },
      }),
    );
    const resumed = await startFeed(deps, 'c1');
    deps.notifier.clear();

    await runFeed(deps, resumed, pace());

    expect(deps.notifier.framesOfType('c1', 'feed')[0]).toEqual({
      type: 'feed',
      text: 'klmnopqrst',
      cursor: 20,
      total: 26,
    });
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

  it('tells the client its stream stopped when the worker fails, after giving the chunk back', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);
    const send = deps.notifier.send.bind(deps.notifier);
    jest
      .spyOn(deps.notifier, 'send')
      .mockRejectedValueOnce(new Error('@connections answered 500'))
      .mockImplementation(send);

    await expect(runFeed(deps, job, pace())).rejects.toThrow('@connections answered 500');

    expect((await deps.feeds.read(user.userId))?.cursor).toBe(0);
    expect(deps.notifier.framesFor('c1')).toEqual([
      {
        type: 'error',
        code: 'internal',
        message: expect.stringContaining('send teleread to resume'),
        action: 'teleread',
      },
    ]);
  });

  it('stops the older stream when the same user starts another one', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { job } = await givenFeedStarted(deps);
    let takeover: Awaited<ReturnType<typeof startFeed>> | undefined;

    const outcome = await runFeed(
      deps,
      job,
      pace({
        sleep: async () => {
          takeover ??= await startFeed(deps, 'c1');
        },
      }),
    );

    expect(outcome).toBe('stopped');
    expect(takeover?.leaseId).not.toBe(job.leaseId);
  });

  it('hands off before the invocation runs out of time, keeping the lease', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const { user, job } = await givenFeedStarted(deps);
    let calls = 0;

    const outcome = await runFeed(
      deps,
      job,
      pace({
        timeToHandOff: () => {
          calls += 1;
          return calls > 1;
        },
      }),
    );

    expect(outcome).toBe('handed-off');
    expect(await deps.feeds.read(user.userId)).toEqual({ cursor: 10, revision: 'rev-1', leaseId: job.leaseId });
  });

  it('an old stream giving its chunk back after a takeover leaves the new stream’s cursor alone', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    const first = await givenConnected(deps, 'c1');
    await givenSecondTab(deps, 'c2', first);
    const old = await startFeed(deps, 'c1');
    let answerOldSend: (delivery: 'gone') => void = () => {};
    const send = deps.notifier.send.bind(deps.notifier);
    jest.spyOn(deps.notifier, 'send').mockImplementation((connectionId, frame) =>
      connectionId === 'c1'
        ? new Promise((resolve) => {
            answerOldSend = resolve;
          })
        : send(connectionId, frame),
    );
    const oldRun = runFeed(deps, old, pace());
    await new Promise((resolve) => setImmediate(resolve));
    const takeover = await startFeed(deps, 'c2');
    const read = deps.feeds.read.bind(deps.feeds);
    jest.spyOn(deps.feeds, 'read').mockImplementationOnce(async (userId) => {
      const state = await read(userId);
      answerOldSend('gone');
      await oldRun;
      return state;
    });

    const outcome = await runFeed(deps, takeover, pace());

    expect(await oldRun).toBe('gone');
    expect(outcome).toBe('finished');
    expect(feedText(deps, 'c2')).toBe(ARTICLE.slice(10));
  });

  it('starts over at 0 when the saved cursor counts another revision of the article', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE, revision: 'rev-1' } });
    await givenConnected(deps, 'c1');
    await givenRead(deps, 'c1', 1);
    deps.article = new StaticArticleSource({ text: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ!', revision: 'rev-2' });
    deps.notifier.clear();

    const session = await hello(deps, 'c1');
    const job = await startFeed(deps, 'c1');
    await runFeed(deps, job, pace());

    expect(session.cursor).toBe(0);
    expect(feedText(deps, 'c1')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ!');
    expect(await deps.feeds.read(session.userId)).toEqual({ cursor: 27, revision: 'rev-2' });
  });

  it('resumes where the client’s text ends when the saved cursor ran ahead of it', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    await givenConnected(deps, 'c1');
    await givenRead(deps, 'c1', 2);
    deps.notifier.clear();

    const job = await startFeed(deps, 'c1', 14);
    await runFeed(deps, job, pace());

    expect(feedText(deps, 'c1')).toBe(ARTICLE.slice(14));
  });

  it('ignores a client cursor beyond the saved one: the server has not delivered that far', async () => {
    const deps = createMemoryDependencies({ article: { text: ARTICLE } });
    await givenConnected(deps, 'c1');
    await givenRead(deps, 'c1', 1);
    deps.notifier.clear();

    const job = await startFeed(deps, 'c1', 25);
    await runFeed(deps, job, pace());

    expect(feedText(deps, 'c1')).toBe(ARTICLE.slice(10));
  });
});
