import type { Dependencies } from '../dependencies';
import { countsIn } from '../feed-position';
import type { ErrorFrame } from '../frames';
import type { FeedJob } from '../ports/feed-scheduler';
import { requireSession } from '../session';

export interface FeedPace {
  /** Pause between two frames. */
  intervalMs: number;
  /** Characters per frame. */
  chunkSize: number;
  sleep(ms: number): Promise<void>;
  /** True when this invocation should stop and hand the rest to a fresh one (its time is nearly up). */
  timeToHandOff(): boolean;
}

export type FeedOutcome = 'finished' | 'stopped' | 'gone' | 'handed-off';

/**
 * `teleread`: takes the user's feed for this connection (stopping any other stream) and starts a worker.
 * `clientCursor` is the position after the last character the client holds: the saved cursor counts
 * what API Gateway accepted, which runs ahead of what a client that dropped without a close frame got,
 * so the feed resumes from the smaller of the two. A larger one (another tab read on) changes nothing.
 */
/** What streaming the article touches: the article, the user's feed cursor and lease, the connection. */
export type FeedStreamPorts = Pick<Dependencies, 'article' | 'feeds' | 'notifier'>;

export async function startFeed(
  deps: Pick<Dependencies, 'connections' | 'users' | 'ids' | 'feeds' | 'scheduler'>,
  connectionId: string,
  clientCursor?: number,
): Promise<FeedJob> {
  const { user } = await requireSession(deps, connectionId);
  const job = { userId: user.userId, connectionId, leaseId: deps.ids.next() };
  const saved = await deps.feeds.startLease(user.userId, job.leaseId);
  if (saved !== undefined && clientCursor !== undefined && clientCursor < saved) {
    await deps.feeds.release(user.userId, job.leaseId, clientCursor, saved);
  }
  await deps.scheduler.start(job);
  return job;
}

/** `stop`: ends the user's stream; the cursor it answers is the position after the last delivered character. */
export async function stopFeed(
  deps: Pick<Dependencies, 'connections' | 'users' | 'feeds'>,
  connectionId: string,
): Promise<number> {
  const { user } = await requireSession(deps, connectionId);
  return (await deps.feeds.stopLease(user.userId)) ?? user.cursor;
}

/**
 * The feed worker: claims the next chunk (cursor moves only while this stream holds the lease), sends it,
 * and gives the chunk back if it could not be delivered, so the saved cursor is always the position after
 * the last character delivered. It stops on `stop`, `reset` or a takeover (the claim fails), on a gone
 * connection, at the end of the article, or hands off before its invocation runs out of time. A cursor
 * saved against another revision of the article starts over at 0 rather than resume into other text.
 */
export async function runFeed(deps: FeedStreamPorts, job: FeedJob, pace: FeedPace): Promise<FeedOutcome> {
  try {
    return await streamFeed(deps, job, pace);
  } catch (error) {
    // Nobody retries the worker (an asynchronous invocation with no retries), so the client must hear
    // that its stream ended; this send may fail as the last one did, and the error that matters is rethrown.
    await deps.notifier.send(job.connectionId, FEED_FAILED).catch(() => 'failed');
    throw error;
  }
}

const FEED_FAILED: ErrorFrame = {
  type: 'error',
  code: 'internal',
  message: 'The tele-read stopped on an error on our side; send teleread to resume where it stopped.',
  action: 'teleread',
};

async function streamFeed(deps: FeedStreamPorts, job: FeedJob, pace: FeedPace): Promise<FeedOutcome> {
  const article = await deps.article.load();
  const characters = [...article.text];
  const total = characters.length;
  const state = await deps.feeds.read(job.userId);
  if (!state || state.leaseId !== job.leaseId) return 'stopped';
  let cursor = Math.min(state.cursor, total);
  if (!countsIn(state, article)) {
    if (!(await deps.feeds.restart(job.userId, job.leaseId, article.revision))) return 'stopped';
    cursor = 0;
  }
  for (let first = true; cursor < total; first = false) {
    if (pace.timeToHandOff()) return 'handed-off';
    if (!first) await pace.sleep(pace.intervalMs);
    const next = Math.min(cursor + pace.chunkSize, total);
    if (!(await deps.feeds.claim(job.userId, job.leaseId, cursor, next, article.revision))) return 'stopped';
    const text = characters.slice(cursor, next).join('');
    const delivery = await deps.notifier
      .send(job.connectionId, { type: 'feed', text, cursor: next, total })
      .catch(async (error: unknown) => {
        await deps.feeds.release(job.userId, job.leaseId, cursor, next);
        throw error;
      });
    if (delivery === 'gone') {
      await deps.feeds.release(job.userId, job.leaseId, cursor, next);
      return 'gone';
    }
    cursor = next;
  }
  await deps.feeds.endLease(job.userId, job.leaseId);
  await deps.notifier.send(job.connectionId, { type: 'feed-end', cursor, total });
  return 'finished';
}
