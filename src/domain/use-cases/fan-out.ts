import { forEachBounded } from '../concurrency';
import type { Dependencies } from '../dependencies';
import type { ServerFrame } from '../frames';
import { type Channel, isPastConnectGrace, type Subscriber } from '../model';
import { frameForRecipient } from '../presence/frame-for-recipient';
import { type DisconnectPorts, disconnect } from './disconnect';

/** A broadcast reads subscribers and sends, and cleans up the connections that turn out to be gone. */
export type FanOutPorts = DisconnectPorts & Pick<Dependencies, 'subscriptions' | 'notifier' | 'settings'>;

export interface FanOutResult {
  delivered: number;
  /** Connections that were gone (410); their records have been removed unless they were still connecting. */
  gone: number;
  /** Sends that failed for another reason (throttling, network); the broadcast went on. */
  failed: number;
}

export interface FanOutOptions {
  /** Subscribers to skip, e.g. the sender of a `send` chat message. */
  exclude?: (subscriber: Subscriber) => boolean;
}

/**
 * Sends one frame to every subscriber of a channel, page by page, with bounded concurrency. A gone
 * connection is cleaned up and the broadcast goes on; no subscriber can hold up or fail the others. Each
 * receiver gets the frame as `frameForRecipient` makes it for them (or nothing).
 */
export async function fanOut(
  deps: FanOutPorts,
  channel: Channel,
  frame: ServerFrame,
  options: FanOutOptions = {},
): Promise<FanOutResult> {
  const result: FanOutResult = { delivered: 0, gone: 0, failed: 0 };
  const gone: Subscriber[] = [];
  await forEachBounded(deps.subscriptions.subscribers(channel), deps.settings.fanOutConcurrency, async (subscriber) => {
    if (options.exclude?.(subscriber)) return;
    const framed = frameForRecipient(frame, subscriber);
    if (!framed) return;
    try {
      const delivery = await deps.notifier.send(subscriber.connectionId, framed);
      if (delivery === 'sent') {
        result.delivered += 1;
      } else {
        result.gone += 1;
        gone.push(subscriber);
      }
    } catch {
      result.failed += 1;
    }
  });
  // Gone connections are cleaned up side by side, with the same bound: each cleanup may itself broadcast a
  // leave, and one dead subscriber must not hold up the others. A failed cleanup is left to the next 410
  // or to the records' TTL; it never fails the broadcast that found it.
  const now = deps.clock.now();
  const doomed = gone.filter((subscriber) => isPastConnectGrace(subscriber, now, deps.settings.connectGraceMs));
  await forEachBounded(pagesOf(doomed), deps.settings.fanOutConcurrency, async (subscriber) => {
    await disconnect(deps, subscriber.connectionId).catch(() => undefined);
  });
  return result;
}

async function* pagesOf<T>(items: T[]): AsyncIterable<T[]> {
  if (items.length > 0) yield items;
}
