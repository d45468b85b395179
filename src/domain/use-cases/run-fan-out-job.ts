import type { Settings } from '../dependencies';
import { type BackoffSettings, backoffDelayMs } from '../fan-out/backoff';
import { DeliveryThrottledError } from '../fan-out/delivery-throttled-error';
import { type FanOutJob, isExcluded } from '../fan-out/fan-out-job';
import { continuationOf } from '../fan-out/fan-out-plan';
import type { ServerFrame } from '../frames';
import { isPastConnectGrace, type Subscriber } from '../model';
import type { FanOutQueue } from '../ports/fan-out-queue';
import type { Notifier } from '../ports/notifier';
import type { SubscriberShards } from '../ports/subscriber-shards';
import { frameForRecipient } from '../presence/frame-for-recipient';
import { type DisconnectPorts, disconnect } from './disconnect';

export interface FanOutWorkerSettings {
  /** `@connections` calls one job keeps in flight. */
  callsInFlight: number;
  /** Subscribers one job delivers before handing the rest of its shard to a continuation job. */
  subscribersPerJob: number;
  /** Subscribers read per Query page. */
  pageSize: number;
  /** Retries of a throttled (429) send, with full-jitter exponential backoff. */
  backoff: BackoffSettings;
}

export interface FanOutJobDependencies {
  /** Cleanup of gone connections runs the ordinary disconnect, which needs the repositories. */
  deps: DisconnectPorts & { settings: Pick<Settings, 'connectGraceMs'> };
  shards: SubscriberShards;
  queue: FanOutQueue;
  notifier: Notifier;
  /** Waits, for backoff (virtual time in the simulation). */
  pause: (ms: number) => Promise<void>;
  random: () => number;
  settings: FanOutWorkerSettings;
}

export interface FanOutJobResult {
  delivered: number;
  gone: number;
  /** Sends that failed for good: still throttled after every retry, or failed otherwise. */
  failed: number;
  /** Throttled sends that were retried. */
  retries: number;
  pagesRead: number;
  /** The continuation job that was enqueued, if the shard has more. */
  continuation: FanOutJob | null;
}

/**
 * Delivers one slice of a shard: at most `subscribersPerJob` subscribers, page by page, with
 * `callsInFlight` sends at once; then enqueues the rest of the shard as a new job, so no job runs long. A
 * job that reaches `stopBy` (its invocation's time running out: sends slowed by throttling, or a starved
 * host) hands the rest of its slice on the same way, at the next page.
 * A 429 is retried here with backoff and jitter; a 410 removes the connection. If the job dies before it
 * returns, the queue runs it again from its cursor: the subscribers of that slice may get the frame twice,
 * and clients drop the second copy of a topic or chat message by its `seq`, and of a presence frame by its
 * `tick` (docs/protocol.md). The continuation is enqueued only after
 * the slice is delivered, so a retried job never forks its shard into two chains unless the enqueue itself
 * succeeded and the job then failed to be acknowledged.
 */
export async function runFanOutJob(
  io: FanOutJobDependencies,
  job: FanOutJob,
  /** Past this, no further page is started and the rest goes to the continuation (the first page always runs). */
  stopBy?: Date,
): Promise<FanOutJobResult> {
  const { settings } = io;
  const result: FanOutJobResult = { delivered: 0, gone: 0, failed: 0, retries: 0, pagesRead: 0, continuation: null };
  let cursor = job.cursor;
  let left = settings.subscribersPerJob;
  do {
    const page = await io.shards.shardPage(job.channel, job.shard, cursor, Math.min(settings.pageSize, left));
    result.pagesRead += 1;
    left -= page.subscribers.length;
    cursor = page.next;
    const exclusion = { connectionId: job.exclude, userIds: job.excludeUsers };
    await deliverPage(
      io,
      page.subscribers.filter((subscriber) => !isExcluded(exclusion, subscriber)),
      job.frame,
      result,
    );
  } while (cursor !== null && left > 0 && !(stopBy && io.deps.clock.now() >= stopBy));
  result.continuation = continuationOf(job, cursor);
  if (result.continuation) await io.queue.enqueue([result.continuation]);
  return result;
}

async function deliverPage(
  io: FanOutJobDependencies,
  subscribers: Subscriber[],
  frame: ServerFrame,
  result: FanOutJobResult,
): Promise<void> {
  const gone: Subscriber[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < subscribers.length) {
      const subscriber = subscribers[next++] as Subscriber;
      const framed = frameForRecipient(frame, subscriber);
      if (!framed) continue;
      const outcome = await sendWithRetry(io, subscriber.connectionId, framed, result);
      if (outcome === 'sent') result.delivered += 1;
      else if (outcome === 'gone') {
        result.gone += 1;
        gone.push(subscriber);
      } else result.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(io.settings.callsInFlight, subscribers.length) }, lane));
  const now = io.deps.clock.now();
  for (const subscriber of gone) {
    if (!isPastConnectGrace(subscriber, now, io.deps.settings.connectGraceMs)) continue;
    // A failed cleanup is left to the next 410 or the records' TTL; it never fails the delivery.
    await disconnect(io.deps, subscriber.connectionId).catch(() => undefined);
  }
}

async function sendWithRetry(
  io: FanOutJobDependencies,
  connectionId: string,
  frame: ServerFrame,
  result: FanOutJobResult,
): Promise<'sent' | 'gone' | 'failed'> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await io.notifier.send(connectionId, frame);
    } catch (error) {
      if (!(error instanceof DeliveryThrottledError) || attempt >= io.settings.backoff.attempts) return 'failed';
      result.retries += 1;
      await io.pause(backoffDelayMs(attempt, io.settings.backoff, io.random));
    }
  }
}
