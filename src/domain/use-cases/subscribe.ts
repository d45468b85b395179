import type { Dependencies } from '../dependencies';
import { NotSubscribedError, TooManySubscriptionsError } from '../errors';
import { LIMITS, requireTopicName } from '../limits';
import { topicChannel } from '../model';
import { requireSession } from '../session';
import { toTopicEntryFrame } from './publish';

const REPLAY_PAGE = 100;

export interface SubscribeRequest {
  connectionId: string;
  topic: string;
  /** Replay every stored message with `seq > since` after subscribing. */
  since?: number;
}

/**
 * Subscribes a connection, answers `subscribed`, then replays what it missed. The subscription is
 * written before the log is read, so a message published meanwhile arrives live, by replay, or both
 * (clients drop a `seq` they have seen): never neither. A connection holds at most
 * `maxSubscriptionsPerConnection` topics (`too_many_subscriptions`); a repeat of one it holds is free.
 */
export async function subscribe(
  deps: Pick<Dependencies, 'connections' | 'users' | 'subscriptions' | 'messages' | 'notifier' | 'settings'>,
  request: SubscribeRequest,
): Promise<number> {
  const topic = requireTopicName(request.topic);
  const { connection } = await requireSession(deps, request.connectionId);
  const channel = topicChannel(topic);
  const limit = subscriptionLimit(deps);
  if (!(await deps.subscriptions.subscribe(channel, connection, { counter: 'topics', limit }))) {
    throw new TooManySubscriptionsError(limit);
  }
  const latest = await deps.messages.latestSeq(channel);
  await deps.notifier.send(connection.connectionId, { type: 'subscribed', topic, seq: latest });
  if (request.since === undefined) return 0;

  let after = request.since;
  let replayed = 0;
  for (;;) {
    const page = await deps.messages.readAfter(channel, after, REPLAY_PAGE);
    for (const entry of page) {
      if ((await deps.notifier.send(connection.connectionId, toTopicEntryFrame(topic, entry))) === 'gone')
        return replayed;
      replayed += 1;
      after = entry.seq;
    }
    if (page.length < REPLAY_PAGE) return replayed;
  }
}

export async function unsubscribe(
  deps: Pick<Dependencies, 'subscriptions'>,
  connectionId: string,
  rawTopic: string,
): Promise<void> {
  const topic = requireTopicName(rawTopic);
  if (!(await deps.subscriptions.unsubscribe(topicChannel(topic), connectionId))) {
    throw new NotSubscribedError(topic);
  }
}

export function subscriptionLimit(deps: Pick<Dependencies, 'settings'>): number {
  return deps.settings.maxSubscriptionsPerConnection ?? LIMITS.subscriptionsPerConnection;
}
