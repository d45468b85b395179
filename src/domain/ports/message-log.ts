import type { Author, Channel, LogEntry, StoredMessage } from '../model';

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
  /**
   * True when the id had been stored before: `message` is the original and must not be delivered again.
   * False when this call stored it, including a retry that stored the message of a publisher that stopped
   * after numbering it (nobody delivered it then).
   */
  duplicate: boolean;
}

/**
 * A numbered, expiring log per channel: `seq` rises by one per number drawn. A number is drawn for one
 * message and holds it, except when its publisher stopped between drawing it and recording it in the
 * message's idempotency claim: such a number stays empty, and once it is settled (nothing can fill it any
 * more) replays report it as skipped.
 */
export interface MessageLog {
  append(channel: Channel, draft: MessageDraft): Promise<AppendResult>;
  /**
   * Entries with `seq > after`, oldest first, at most `limit`: the messages, and the settled empty numbers
   * (skipped) between them or after the last one.
   */
  readAfter(channel: Channel, after: number, limit: number): Promise<LogEntry[]>;
  /** The newest `limit` messages with `seq < before` (all when undefined), oldest first. */
  readBefore(channel: Channel, before: number | undefined, limit: number): Promise<StoredMessage[]>;
  /** The highest `seq` given out so far (0 for a channel that never had a message). */
  latestSeq(channel: Channel): Promise<number>;
}
