import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Author, Channel, StoredMessage } from '../../domain/model';
import type { AppendResult, MessageDraft, MessageLog } from '../../domain/ports/message-log';
import { keys } from './keys';
import { queryAll } from './query-pages';
import { epochSeconds, isConditionFailure, isLive, type Item, type TableContext } from './table';

export interface DynamoDbMessageLogOptions {
  messageTtlSeconds: number;
  /** A claimed idempotency key whose publisher has not finished after this long is taken over. */
  staleClaimMs?: number;
  /** How long a duplicate waits for the first publisher of the same id to finish. */
  duplicateWaitMs?: number;
}

/**
 * A gap-free numbered log per channel without transactions (the embedded DynamoDB has none).
 *
 * The message item itself claims its `seq`: a conditional put of `seq = last + 1` succeeds for exactly
 * one writer, so two publishers can never share a number, and a number is never skipped because it is
 * only taken together with the message it numbers. The `SEQ` item is a hint for the next writer,
 * advanced after each put and by any writer that finds it behind; it never expires, so numbering goes on
 * after old messages have expired.
 *
 * Idempotency: the first publisher of an id claims an idempotency record with a conditional put, then
 * stores the message and writes its `seq` into the record. A repeat finds the record and answers the
 * original `seq` without storing or delivering anything.
 */
export class DynamoDbMessageLog implements MessageLog {
  private readonly staleClaimMs: number;
  private readonly duplicateWaitMs: number;

  constructor(
    private readonly table: TableContext,
    private readonly options: DynamoDbMessageLogOptions,
  ) {
    this.staleClaimMs = options.staleClaimMs ?? 30_000;
    this.duplicateWaitMs = options.duplicateWaitMs ?? 5_000;
  }

  async append(channel: Channel, draft: MessageDraft): Promise<AppendResult> {
    const claimKey = keys.idempotency(channel, draft.publisher, draft.id);
    const previous = await this.claim(claimKey, draft);
    if (previous) return { message: previous, duplicate: true };
    const message = await this.store(channel, draft);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: claimKey,
        UpdateExpression: 'SET seq = :seq REMOVE claimedAt',
        ExpressionAttributeValues: { ':seq': message.seq },
      }),
    );
    return { message, duplicate: false };
  }

  async readAfter(channel: Channel, after: number, limit: number): Promise<StoredMessage[]> {
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': keys.messagePartition(channel), ':after': keys.seqKey(after) },
        Limit: limit,
      },
      limit,
    );
    return items.map((item) => fromMessageItem(channel, item));
  }

  async readBefore(channel: Channel, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: {
          ':pk': keys.messagePartition(channel),
          ...(before === undefined ? {} : { ':before': keys.seqKey(before) }),
        },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    return items.map((item) => fromMessageItem(channel, item)).reverse();
  }

  async latestSeq(channel: Channel): Promise<number> {
    const hint = await this.seqHint(channel);
    // The hint can trail by one if a writer stopped between its put and its hint update.
    const { Items } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': keys.messagePartition(channel), ':after': keys.seqKey(hint) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ProjectionExpression: 'seq',
      }),
    );
    const newest = Items?.[0];
    return newest ? Number(newest.seq) : hint;
  }

  /** Claims the idempotency key; returns the original message when the id was published before. */
  private async claim(claimKey: { pk: string; sk: string }, draft: MessageDraft): Promise<StoredMessage | undefined> {
    const deadline = Date.now() + this.duplicateWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = this.table.clock.now();
      try {
        await this.table.client.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: { ...claimKey, claimedAt: now.getTime(), expiresAt: this.expiry(now) },
            ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(seq) AND claimedAt < :stale)',
            ExpressionAttributeValues: { ':stale': now.getTime() - this.staleClaimMs },
          }),
        );
        return undefined;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: claimKey, ConsistentRead: true }),
      );
      if (Item && typeof Item.seq === 'number') return this.original(claimKey, Item.seq, draft);
      if (Date.now() > deadline) {
        throw new Error(`Publish of id ${draft.id} is still in progress elsewhere`);
      }
      await delay(Math.min(200, 10 * 2 ** attempt));
    }
  }

  private async original(claimKey: { pk: string }, seq: number, draft: MessageDraft): Promise<StoredMessage> {
    const channel = claimKey.pk.slice('CHAN#'.length);
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.message(channel, seq), ConsistentRead: true }),
    );
    // The original may have expired from the log while its idempotency record lives on.
    return Item ? fromMessageItem(channel, Item) : { channel, seq, ...draft };
  }

  private async store(channel: Channel, draft: MessageDraft): Promise<StoredMessage> {
    const sentAt = new Date(draft.sentAt);
    for (let attempt = 0; ; attempt += 1) {
      const seq = (await this.seqHint(channel)) + 1;
      const message: StoredMessage = { channel, seq, id: draft.id, payload: draft.payload, from: draft.from, sentAt: draft.sentAt };
      try {
        await this.table.client.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: { ...keys.message(channel, seq), ...toMessageAttributes(message), expiresAt: this.expiry(sentAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        await this.advanceHint(channel, seq);
        return message;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Someone else took this seq: make sure the hint moves past it, then try the next one.
        await this.advanceHint(channel, seq);
        if (attempt > 2) await delay(Math.random() * 5 * attempt);
      }
    }
  }

  private async seqHint(channel: Channel): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.channelSeq(channel), ConsistentRead: true }),
    );
    return typeof Item?.seq === 'number' ? Item.seq : 0;
  }

  private async advanceHint(channel: Channel, seq: number): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.channelSeq(channel),
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private expiry(from: Date): number {
    return epochSeconds(from) + this.options.messageTtlSeconds;
  }
}

function toMessageAttributes(message: StoredMessage): Item {
  return {
    seq: message.seq,
    id: message.id,
    // Stored as JSON text: any JSON value round-trips exactly (DynamoDB numbers and empty values do not).
    payload: JSON.stringify(message.payload ?? null),
    from: message.from,
    sentAt: message.sentAt,
  };
}

function fromMessageItem(channel: Channel, item: Item): StoredMessage {
  return {
    channel,
    seq: Number(item.seq),
    id: String(item.id),
    payload: JSON.parse(String(item.payload)) as unknown,
    from: (item.from ?? null) as Author | null,
    sentAt: String(item.sentAt),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
