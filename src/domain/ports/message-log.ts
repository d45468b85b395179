import type { Author, Channel, StoredMessage } from '../model';

export interface MessageDraft {
  /** Idempotency key: a repeat from the same author on the same channel is stored once. */
  id: string;
  payload: unknown;
  from: Author | null;
  sentAt: string;
  /** Who the idempotency key belongs to (a user id, or a service name for the HTTP API). */
  publisher: string;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when the id had been published before: `message` is the original and must not be delivered again. */
  duplicate: boolean;
}

/** A numbered, expiring log per channel: `seq` rises by exactly one per stored message. */
export interface MessageLog {
  append(channel: Channel, draft: MessageDraft): Promise<AppendResult>;
  /** Messages with `seq > after`, oldest first, at most `limit`. */
  readAfter(channel: Channel, after: number, limit: number): Promise<StoredMessage[]>;
  /** The newest `limit` messages with `seq < before` (all when undefined), oldest first. */
  readBefore(channel: Channel, before: number | undefined, limit: number): Promise<StoredMessage[]>;
  /** The highest `seq` given out so far (0 for a channel that never had a message). */
  latestSeq(channel: Channel): Promise<number>;
}
