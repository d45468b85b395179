import type { Dependencies } from '../dependencies';
import type { SkippedFrame, TopicMessageFrame } from '../frames';
import { requireMessage, requireTopicName } from '../limits';
import { type Author, isSkipped, type LogEntry, type StoredMessage, topicChannel } from '../model';
import { requireSession } from '../session';
import { type BroadcastPorts, type BroadcastResult, broadcast } from './broadcast';

/** Numbering and storing the message, then the broadcast. */
export type PublishPorts = Pick<Dependencies, 'messages' | 'ids'> & BroadcastPorts;

export interface PublishRequest {
  topic: string;
  message: unknown;
  /** Idempotency key chosen by the publisher; one is generated when absent. */
  id?: string;
  /** The publishing user, or null for a back-end service. */
  from: Author | null;
}

export interface PublishResult {
  topic: string;
  seq: number;
  id: string;
  duplicate: boolean;
  fanOut: BroadcastResult;
}

/**
 * Stores a topic message under the next `seq` and delivers it to every subscriber. A repeated `id` from
 * the same publisher is neither stored nor delivered again: the original `seq` is returned.
 */
export async function publish(deps: PublishPorts, request: PublishRequest): Promise<PublishResult> {
  const topic = requireTopicName(request.topic);
  requireMessage(request.message);
  const channel = topicChannel(topic);
  const { message, duplicate } = await deps.messages.append(channel, {
    id: request.id ?? deps.ids.next(),
    payload: request.message,
    from: request.from,
    sentAt: deps.clock.now().toISOString(),
    publisher: request.from?.userId ?? 'http-api',
  });
  const result = duplicate
    ? { delivered: 0, gone: 0, failed: 0, queuedJobs: 0 }
    : await broadcast(deps, channel, toTopicFrame(topic, message));
  return { topic, seq: message.seq, id: message.id, duplicate, fanOut: result };
}

export interface ConnectionPublishRequest {
  connectionId: string;
  topic: string;
  message: unknown;
  id?: string;
}

/**
 * A browser's publish: the connection must still have a session, and the message goes out in its user's
 * name. (Its rate limit is the `publish` budget, drawn before any route runs: see `admitFrame`.)
 */
export async function publishFromConnection(
  deps: PublishPorts & Pick<Dependencies, 'users'>,
  request: ConnectionPublishRequest,
): Promise<PublishResult> {
  const { connection } = await requireSession(deps, request.connectionId);
  const { topic, message, id } = request;
  return publish(deps, { topic, message, id, from: { userId: connection.userId, name: connection.name } });
}

export function toTopicFrame(topic: string, message: StoredMessage): TopicMessageFrame {
  return {
    type: 'message',
    topic,
    message: message.payload,
    seq: message.seq,
    from: message.from?.userId ?? null,
    sentAt: message.sentAt,
  };
}

/** A replayed entry of a topic's log: its message, or the news that its `seq` will never hold one. */
export function toTopicEntryFrame(topic: string, entry: LogEntry): TopicMessageFrame | SkippedFrame {
  return isSkipped(entry) ? { type: 'skipped', topic, seq: entry.seq } : toTopicFrame(topic, entry);
}
