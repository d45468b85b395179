import type { Channel, StoredMessage } from '../../../src/domain/model';
import type { AppendResult, MessageDraft, MessageLog } from '../../../src/domain/ports/message-log';

/**
 * A gap-free log per channel. The idempotency key is channel + publisher + id, as in the real table,
 * so the same id from another user or on another channel is a new message.
 */
export class InMemoryMessageLog implements MessageLog {
  private readonly logs = new Map<Channel, StoredMessage[]>();
  private readonly byKey = new Map<string, StoredMessage>();

  async append(channel: Channel, draft: MessageDraft): Promise<AppendResult> {
    const key = JSON.stringify([channel, draft.publisher, draft.id]);
    const original = this.byKey.get(key);
    if (original) return { message: { ...original }, duplicate: true };

    const log = this.logOf(channel);
    const message: StoredMessage = {
      channel,
      seq: log.length + 1,
      id: draft.id,
      payload: draft.payload,
      from: draft.from,
      sentAt: draft.sentAt,
    };
    log.push(message);
    this.byKey.set(key, message);
    return { message: { ...message }, duplicate: false };
  }

  async readAfter(channel: Channel, after: number, limit: number): Promise<StoredMessage[]> {
    return this.logOf(channel)
      .filter((message) => message.seq > after)
      .slice(0, limit)
      .map((message) => ({ ...message }));
  }

  async readBefore(channel: Channel, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    const older = this.logOf(channel).filter((message) => before === undefined || message.seq < before);
    return older.slice(Math.max(0, older.length - limit)).map((message) => ({ ...message }));
  }

  async latestSeq(channel: Channel): Promise<number> {
    return this.logOf(channel).length;
  }

  /** Everything stored on a channel, oldest first, for assertions. */
  stored(channel: Channel): StoredMessage[] {
    return this.logOf(channel).map((message) => ({ ...message }));
  }

  private logOf(channel: Channel): StoredMessage[] {
    let log = this.logs.get(channel);
    if (!log) {
      log = [];
      this.logs.set(channel, log);
    }
    return log;
  }
}
