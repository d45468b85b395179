import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
 * A numbered log per channel without transactions (the embedded DynamoDB has none).
 *
 * Numbers come from an atomic `ADD` on the channel's `SEQ` item: one round trip, and concurrent
 * publishers never contend or retry. Every message carries an idempotency key (the publisher's `id`, or
 * one generated for it), claimed with a conditional put before a number is taken; the number is written
 * into the claim before the message is stored. So a publisher that stopped between taking a number and
 * storing its message leaves a claim that names the number, and the retry of that id (a Lambda retry,
 * or the client resending) stores the message under it: a taken number is never left empty for good.
 * A repeat of a finished id answers the original message and stores nothing.
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
    const previous = await this.claim(channel, claimKey, draft);
    if (previous) return { message: previous, duplicate: true };
    const seq = await this.nextSeq(channel);
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: claimKey,
        UpdateExpression: 'SET seq = :seq REMOVE claimedAt',
        ExpressionAttributeValues: { ':seq': seq },
      }),
    );
    const message: StoredMessage = { channel, seq, id: draft.id, payload: draft.payload, from: draft.from, sentAt: draft.sentAt };
    await this.store(message);
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
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.channelSeq(channel), ConsistentRead: true }),
    );
    return typeof Item?.seq === 'number' ? Item.seq : 0;
  }

  /** Claims the idempotency key; returns the original message when the id was published before. */
  private async claim(channel: Channel, claimKey: { pk: string; sk: string }, draft: MessageDraft): Promise<StoredMessage | undefined> {
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
      if (Item && typeof Item.seq === 'number') return this.original(channel, Item.seq, draft);
      if (Date.now() > deadline) {
        throw new Error(`Publish of id ${draft.id} is still in progress elsewhere`);
      }
      await delay(Math.min(200, 10 * 2 ** attempt));
    }
  }

  /** The message a claim names; stored now if its first publisher stopped before storing it. */
  private async original(channel: Channel, seq: number, draft: MessageDraft): Promise<StoredMessage> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.message(channel, seq), ConsistentRead: true }),
    );
    if (Item) return fromMessageItem(channel, Item);
    const message: StoredMessage = { channel, seq, id: draft.id, payload: draft.payload, from: draft.from, sentAt: draft.sentAt };
    if (Date.parse(draft.sentAt) + this.options.messageTtlSeconds * 1000 > this.table.clock.now().getTime()) {
      await this.store(message);
    }
    return message;
  }

  private async nextSeq(channel: Channel): Promise<number> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.channelSeq(channel),
        UpdateExpression: 'ADD seq :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.seq);
  }

  /** Stores a numbered message; a message already stored under that number (a repair race) is kept. */
  private async store(message: StoredMessage): Promise<void> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.message(message.channel, message.seq), ...toMessageAttributes(message), expiresAt: this.expiry(new Date(message.sentAt)) },
          ConditionExpression: 'attribute_not_exists(pk)',
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
