import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Author, Channel, LogEntry, SkippedSeq, StoredMessage } from '../../domain/model';
import type { AppendResult, MessageDraft, MessageLog } from '../../domain/ports/message-log';
import { keys } from './keys';
import { queryAll } from './query-pages';
import { epochSeconds, type Item, isLive, type TableContext, unlessConditionFails } from './table';

export interface DynamoDbMessageLogOptions {
  messageTtlSeconds: number;
  /** A claimed idempotency key whose publisher has not numbered its message after this long is taken over at once. */
  staleClaimMs?: number;
  /**
   * How long a repeat of an id waits for the first publisher to number its message before it takes the
   * claim over (the first one has most likely stopped; if it has not, it loses the claim and skips its number).
   */
  duplicateWaitMs?: number;
  /**
   * A number drawn this long ago and still empty can no longer be filled (every publisher's Lambda timeout
   * is far shorter): a replay that meets it writes a tombstone into its slot and reports it as skipped.
   */
  settleMs?: number;
}

type ClaimKey = { pk: string; sk: string };
type Claimed = { token: string } | { seq: number; drawnAt: number };

/** Gives up rather than loop for ever if claims keep changing hands (they cannot, short of a bug). */
const MAX_ROUNDS = 20;

/**
 * A numbered log per channel without transactions (the embedded DynamoDB has none).
 *
 * Numbers come from an atomic `ADD` on the channel's `SEQ` item: one round trip, and concurrent
 * publishers never contend or retry. Every message carries an idempotency key (the publisher's `id`, or
 * one generated for it), claimed with a conditional put before a number is drawn; the number is written
 * into the claim (fenced by the claim's token) before the message is stored. So:
 *
 * - a repeat of a finished id answers the original message and stores nothing;
 * - a publisher that stopped after recording its number leaves a claim that names it, and the retry of that
 *   id stores the message under it and reports it as new (so that it is delivered);
 * - a publisher that stopped between drawing its number and recording it cannot be told from a slow one:
 *   a repeat waits `duplicateWaitMs`, then takes the claim over and numbers the message afresh. The number
 *   drawn first stays empty. A publisher that was only slow finds its claim taken, writes a tombstone
 *   into its number's slot and answers with the new owner's result. A stopped one cannot, so a replay
 *   writes the tombstone once the number is `settleMs` old (`readAfter`); a late store that meets a
 *   tombstone draws a new number. Either way no number stays unexplained.
 */
export class DynamoDbMessageLog implements MessageLog {
  private readonly staleClaimMs: number;
  private readonly duplicateWaitMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly table: TableContext,
    private readonly options: DynamoDbMessageLogOptions,
  ) {
    this.staleClaimMs = options.staleClaimMs ?? 30_000;
    this.duplicateWaitMs = options.duplicateWaitMs ?? 3_000;
    this.settleMs = options.settleMs ?? 60_000;
  }

  async append(channel: Channel, draft: MessageDraft): Promise<AppendResult> {
    const claimKey = keys.idempotency(channel, draft.publisher, draft.id);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const claimed = await this.claim(claimKey);
      if ('seq' in claimed) return this.original(channel, claimKey, claimed, draft);
      const { seq, drawnAt } = await this.nextSeq(channel);
      if (await this.record(claimKey, claimed.token, seq, drawnAt)) {
        return this.place(channel, claimKey, toMessage(channel, seq, draft), drawnAt);
      }
      // Taken over while we drew: the number is ours alone and will never be used.
      await this.skip(channel, seq, drawnAt);
    }
    throw new Error(`Publish of id ${draft.id} kept losing its claim`);
  }

  async readAfter(channel: Channel, after: number, limit: number): Promise<LogEntry[]> {
    // From `after` itself when there is one: a live entry there proves the numbers up to the first one read
    // were drawn (and are not messages that have expired).
    const from = Math.max(0, after - 1);
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: 'pk = :pk AND sk > :from',
        ExpressionAttributeValues: { ':pk': keys.messagePartition(channel), ':from': keys.seqKey(from) },
        Limit: limit + 1,
      },
      limit + 1,
    );
    const anchored = after > 0 && Number(items[0]?.seq) === after;
    const read = items.filter((item) => Number(item.seq) > after);
    const settledBefore = this.table.clock.now().getTime() - this.settleMs;
    const entries: LogEntry[] = [];
    let previous = anchored ? after : undefined;
    for (const item of read.slice(0, limit)) {
      const seq = Number(item.seq);
      if (previous !== undefined && drawnAtOf(item) < settledBefore)
        await this.fill(channel, previous + 1, seq, entries, limit);
      if (entries.length >= limit) return entries;
      entries.push(toEntry(channel, item));
      previous = seq;
    }
    if (previous !== undefined && read.length < limit && entries.length < limit) {
      const counter = await this.counter(channel);
      if (counter.drawnAt < settledBefore) await this.fill(channel, previous + 1, counter.seq + 1, entries, limit);
    }
    return entries;
  }

  async readBefore(channel: Channel, before: number | undefined, limit: number): Promise<StoredMessage[]> {
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        FilterExpression: 'attribute_not_exists(skipped)',
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
    return (await this.counter(channel)).seq;
  }

  /**
   * Claims the idempotency key (its token fences the numbering), or returns the number its claim already
   * names. A claim whose publisher has not numbered its message within `duplicateWaitMs` is taken over.
   */
  private async claim(claimKey: ClaimKey): Promise<Claimed> {
    const deadline = Date.now() + this.duplicateWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = this.table.clock.now();
      const token = randomUUID();
      const claim = { ...claimKey, claimedAt: now.getTime(), token, expiresAt: this.expiry(now) };
      const taken = await unlessConditionFails(
        this.table.client.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: claim,
            ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(seq) AND claimedAt < :stale)',
            ExpressionAttributeValues: { ':stale': now.getTime() - this.staleClaimMs },
          }),
        ),
      );
      if (taken) return { token };
      const { Item } = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: claimKey, ConsistentRead: true }),
      );
      if (Item && typeof Item.seq === 'number') {
        return { seq: Item.seq, drawnAt: typeof Item.drawnAt === 'number' ? Item.drawnAt : now.getTime() };
      }
      if (Item && Date.now() >= deadline) {
        const takenOver = await unlessConditionFails(
          this.table.client.send(
            new PutCommand({
              TableName: this.table.tableName,
              Item: claim,
              ConditionExpression:
                typeof Item.token === 'string'
                  ? 'attribute_not_exists(seq) AND #token = :seen'
                  : 'attribute_not_exists(seq) AND attribute_not_exists(#token)',
              ExpressionAttributeNames: { '#token': 'token' },
              ...(typeof Item.token === 'string' ? { ExpressionAttributeValues: { ':seen': Item.token } } : {}),
            }),
          ),
        );
        if (takenOver) return { token };
      }
      await delay(Math.min(200, 10 * 2 ** attempt));
    }
  }

  /** Writes the drawn number into the claim, only while the claim is still ours. */
  private async record(claimKey: ClaimKey, token: string, seq: number, drawnAt: number): Promise<boolean> {
    const recorded = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: claimKey,
          UpdateExpression: 'SET seq = :seq, drawnAt = :drawnAt REMOVE claimedAt',
          ConditionExpression: '#token = :token AND attribute_not_exists(seq)',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':seq': seq, ':drawnAt': drawnAt, ':token': token },
        }),
      ),
    );
    return recorded !== undefined;
  }

  /** The message a claim names: the stored original, or stored now if its first publisher stopped before storing it. */
  private async original(
    channel: Channel,
    claimKey: ClaimKey,
    claimed: { seq: number; drawnAt: number },
    draft: MessageDraft,
  ): Promise<AppendResult> {
    const item = await this.slot(channel, claimed.seq);
    if (item && item.skipped !== true) return { message: fromMessageItem(channel, item), duplicate: true };
    const message = toMessage(channel, claimed.seq, draft);
    if (!item && Date.parse(draft.sentAt) + this.options.messageTtlSeconds * 1000 <= this.table.clock.now().getTime()) {
      return { message, duplicate: true }; // too old to keep: nothing to store or deliver
    }
    return this.place(channel, claimKey, message, claimed.drawnAt);
  }

  /**
   * Stores a numbered message and reports it as new. Its slot may hold the message already (a retry
   * stored it first: a duplicate) or a tombstone (the number was settled as empty before this store came):
   * then the message takes a new number, moved into the claim with a compare-and-set.
   */
  private async place(
    channel: Channel,
    claimKey: ClaimKey,
    message: StoredMessage,
    drawnAt: number,
  ): Promise<AppendResult> {
    let current = message;
    let currentDrawnAt = drawnAt;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      if (await this.store(current, currentDrawnAt)) return { message: current, duplicate: false };
      const item = await this.slot(channel, current.seq);
      if (item && item.skipped !== true) return { message: fromMessageItem(channel, item), duplicate: true };
      const next = await this.nextSeq(channel);
      const moved = await unlessConditionFails(
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: claimKey,
            UpdateExpression: 'SET seq = :next, drawnAt = :drawnAt',
            ConditionExpression: 'seq = :current',
            ExpressionAttributeValues: { ':next': next.seq, ':drawnAt': next.drawnAt, ':current': current.seq },
          }),
        ),
      );
      if (!moved) {
        // Another retry moved the claim first: ours is an unused number, and its message is the claim's.
        await this.skip(channel, next.seq, next.drawnAt);
        const { Item } = await this.table.client.send(
          new GetCommand({ TableName: this.table.tableName, Key: claimKey, ConsistentRead: true }),
        );
        const stored = Item && typeof Item.seq === 'number' ? await this.slot(channel, Item.seq) : undefined;
        if (stored && stored.skipped !== true) return { message: fromMessageItem(channel, stored), duplicate: true };
        if (!Item || typeof Item.seq !== 'number') throw new Error(`The claim of id ${message.id} disappeared`);
        current = { ...current, seq: Item.seq };
        currentDrawnAt = typeof Item.drawnAt === 'number' ? Item.drawnAt : next.drawnAt;
        continue;
      }
      current = { ...current, seq: next.seq };
      currentDrawnAt = next.drawnAt;
    }
    throw new Error(`Publish of id ${message.id} could not be stored`);
  }

  /** Reports every number in [from, to) as skipped (up to `limit` entries): a tombstone, or what got there first. */
  private async fill(channel: Channel, from: number, to: number, entries: LogEntry[], limit: number): Promise<void> {
    const settledBefore = this.table.clock.now().getTime() - this.settleMs;
    for (let seq = from; seq < to && entries.length < limit; seq += 1) {
      if (await this.skip(channel, seq, settledBefore)) {
        entries.push(skipped(channel, seq));
        continue;
      }
      const item = await this.slot(channel, seq);
      if (item && isLive(item, this.table.clock.now())) entries.push(toEntry(channel, item));
    }
  }

  /** Writes a tombstone into an empty slot; false when the slot holds something already. */
  private async skip(channel: Channel, seq: number, drawnAt: number): Promise<boolean> {
    const now = this.table.clock.now();
    const written = await unlessConditionFails(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.message(channel, seq), seq, skipped: true, drawnAt, expiresAt: this.expiry(now) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written !== undefined;
  }

  private async slot(channel: Channel, seq: number): Promise<Item | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.message(channel, seq), ConsistentRead: true }),
    );
    return Item;
  }

  private async counter(channel: Channel): Promise<{ seq: number; drawnAt: number }> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.channelSeq(channel), ConsistentRead: true }),
    );
    return {
      seq: typeof Item?.seq === 'number' ? Item.seq : 0,
      drawnAt: typeof Item?.drawnAt === 'number' ? Item.drawnAt : Number.POSITIVE_INFINITY,
    };
  }

  /** Draws the channel's next number; `drawnAt` is taken after the draw, so the draw happened before it. */
  private async nextSeq(channel: Channel): Promise<{ seq: number; drawnAt: number }> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.channelSeq(channel),
        UpdateExpression: 'ADD seq :one SET drawnAt = :now',
        ExpressionAttributeValues: { ':one': 1, ':now': this.table.clock.now().getTime() },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { seq: Number(Attributes?.seq), drawnAt: this.table.clock.now().getTime() };
  }

  /** Stores a numbered message; false when its slot holds something already (a message or a tombstone). */
  private async store(message: StoredMessage, drawnAt: number): Promise<boolean> {
    const written = await unlessConditionFails(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.message(message.channel, message.seq),
            ...toMessageAttributes(message),
            drawnAt,
            expiresAt: this.expiry(new Date(message.sentAt)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written !== undefined;
  }

  private expiry(from: Date): number {
    return epochSeconds(from) + this.options.messageTtlSeconds;
  }
}

function toMessage(channel: Channel, seq: number, draft: MessageDraft): StoredMessage {
  return { channel, seq, id: draft.id, payload: draft.payload, from: draft.from, sentAt: draft.sentAt };
}

function skipped(channel: Channel, seq: number): SkippedSeq {
  return { channel, seq, skipped: true };
}

/** When the item's number was drawn at the latest; unknown (never settles a gap) for items stored before this was kept. */
function drawnAtOf(item: Item): number {
  return typeof item.drawnAt === 'number' ? item.drawnAt : Number.POSITIVE_INFINITY;
}

function toEntry(channel: Channel, item: Item): LogEntry {
  return item.skipped === true ? skipped(channel, Number(item.seq)) : fromMessageItem(channel, item);
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
