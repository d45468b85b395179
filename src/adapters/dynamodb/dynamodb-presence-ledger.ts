import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatUser } from '../../domain/frames';
import type { AnnouncedChange, PresenceLedger, RoomClaim, RoomHeld } from '../../domain/ports/presence-ledger';
import { ClaimLostError } from '../../domain/presence/claim-lost-error';
import { batchGet } from './batch-get';
import { keys } from './keys';
import { type Item, type TableContext, unlessConditionFails } from './table';

/** BatchWriteItem takes at most 25 writes. */
const WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 8;
/**
 * Bytes of users one pending change holds, far below DynamoDB's 400 KB item limit with the `ROOM` item's few
 * other attributes. A user takes at most about 1.3 KB (an id is part of a sort key, so at most 1 KB; a name
 * is at most 40 characters), so a part holds about 200 users at worst and a batch of 1,000 UUID users at once.
 */
const PENDING_BYTES = 256 * 1024;
/** What a pending user costs in the item besides its id and name (attribute names and type overhead). */
const PENDING_USER_OVERHEAD = 16;

/** A change under way, kept in the `ROOM` item beside the count it leads to until its `USER#` items are written. */
interface PendingChange {
  put: ChatUser[];
  remove: string[];
}

/**
 * The presence ledger in the single table (see `keys`): one `ROOM` item per room for the interval claim, the
 * tick and the announced count, and one `USER#` item per user the room was told is there. Every call is by
 * key, for the users a batch touched: never a Query of the room, never a Scan.
 *
 * The count and the `USER#` items can never disagree however early a worker stops (it times out, crashes,
 * or a write throws after its retries), by writing ahead: `record` first writes, in one UpdateItem on the
 * `ROOM` item conditioned on the claim's tick, the new count together with the pending change; then writes
 * the `USER#` items (puts and deletes, which are idempotent); then removes the pending change. Whoever claims
 * the room next and finds a change still pending writes its `USER#` items again before it compares anything.
 * The same UpdateItem marks the room `untold` until a worker releases its claim as told, so that a change
 * recorded by a worker that stopped before its broadcast still has its count sent by the next claim.
 * (A transaction would do the same in one request, but the embedded DynamoDB has no TransactWriteItems, and
 * a transaction takes at most 100 items.) A change bigger than `PENDING_BYTES` is recorded in several parts,
 * each with the count it leads to. The `USER#` writes of a worker whose claim ran out could land after
 * the next claimer finished its pending change; they write the same items, and are harmless as long as no
 * worker outlives its claim, which holds because the claim is held longer than the worker's timeout.
 */
export class DynamoDbPresenceLedger implements PresenceLedger {
  constructor(private readonly table: TableContext) {}

  async claim(room: string, now: Date, holdMs: number): Promise<RoomClaim | RoomHeld> {
    const claimed = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presenceRoom(room),
          UpdateExpression: 'SET claimedUntil = :until ADD tick :one',
          ConditionExpression: 'attribute_not_exists(claimedUntil) OR claimedUntil <= :now',
          ExpressionAttributeValues: { ':until': now.getTime() + holdMs, ':now': now.getTime(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (claimed) {
      const tick = Number(claimed.Attributes?.tick ?? 1);
      // A worker stopped part way through a change: finish it, so that the count agrees with the users.
      const pending = claimed.Attributes?.pending as PendingChange | undefined;
      if (pending) {
        await this.apply(room, pending);
        await this.finish(room, tick);
      }
      return {
        claimed: true,
        tick,
        count: Number(claimed.Attributes?.count ?? 0),
        untold: claimed.Attributes?.untold === true,
      };
    }
    const { Item: held } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.presenceRoom(room), ConsistentRead: true }),
    );
    // Released between the two reads: report it free now, and the caller claims again at once.
    return { claimed: false, until: new Date(Number(held?.claimedUntil ?? now.getTime())) };
  }

  async release(room: string, tick: number, until: Date, told: boolean): Promise<void> {
    await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presenceRoom(room),
          UpdateExpression: told ? 'SET claimedUntil = :until REMOVE untold' : 'SET claimedUntil = :until',
          ConditionExpression: 'tick = :tick',
          ExpressionAttributeValues: { ':until': until.getTime(), ':tick': tick },
        }),
      ),
    );
  }

  async announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>> {
    const items = await batchGet(
      this.table,
      [...new Set(userIds)].map((userId) => keys.presenceAnnounced(room, userId)),
    );
    return new Map(
      items.map((item) => [String(item.userId), { userId: String(item.userId), name: String(item.name) }]),
    );
  }

  async record(room: string, tick: number, change: AnnouncedChange): Promise<void> {
    for (const part of pendingParts(change)) {
      await this.writeAhead(room, tick, part.count, part.pending);
      await this.apply(room, part.pending);
    }
    await this.finish(room, tick);
  }

  /** The new count and the change that leads to it, in one write: the count is never ahead of its users. */
  private async writeAhead(room: string, tick: number, count: number, pending: PendingChange): Promise<void> {
    const written = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presenceRoom(room),
          UpdateExpression: 'SET #count = :count, pending = :pending, untold = :untold',
          ConditionExpression: 'tick = :tick',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':count': count, ':pending': pending, ':tick': tick, ':untold': true },
        }),
      ),
    );
    if (!written) throw new ClaimLostError(room, tick);
  }

  /** Writes the `USER#` items of a pending change; writing them twice leaves them the same. */
  private async apply(room: string, pending: PendingChange): Promise<void> {
    const writes = [
      ...pending.put.map((user) => ({
        PutRequest: { Item: { ...keys.presenceAnnounced(room, user.userId), userId: user.userId, name: user.name } },
      })),
      ...pending.remove.map((userId) => ({ DeleteRequest: { Key: keys.presenceAnnounced(room, userId) } })),
    ];
    for (let at = 0; at < writes.length; at += WRITE_LIMIT) await this.writeBatch(writes.slice(at, at + WRITE_LIMIT));
  }

  /** Removes the pending change once its `USER#` items are written; nothing when the room was claimed since. */
  private async finish(room: string, tick: number): Promise<void> {
    await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presenceRoom(room),
          UpdateExpression: 'REMOVE pending',
          ConditionExpression: 'tick = :tick',
          ExpressionAttributeValues: { ':tick': tick },
        }),
      ),
    );
  }

  private async writeBatch(writes: Item[]): Promise<void> {
    let requests = writes;
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB left ${requests.length} presence writes unprocessed`);
      if (attempt > 0) await backOff(attempt);
      const { UnprocessedItems } = await this.table.client.send(
        new BatchWriteCommand({ RequestItems: { [this.table.tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[this.table.tableName] ?? []) as Item[];
    }
  }
}

function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
}

/**
 * Splits a change into parts of at most `PENDING_BYTES` of users, each with the count the room has once it
 * and the parts before it are written: arrivals add one, leaves take one, renames nothing.
 */
function pendingParts(change: AnnouncedChange): Array<{ count: number; pending: PendingChange }> {
  const steps = [
    ...change.joined.map((user) => ({ put: user, delta: 1 })),
    ...change.renamed.map((user) => ({ put: user, delta: 0 })),
    ...change.left.map((userId) => ({ remove: userId, delta: -1 })),
  ];
  const parts: Array<{ count: number; pending: PendingChange }> = [];
  let count = change.count - change.joined.length + change.left.length;
  let part: { count: number; pending: PendingChange } | undefined;
  let bytes = 0;
  for (const step of steps) {
    const size =
      PENDING_USER_OVERHEAD +
      ('put' in step ? Buffer.byteLength(step.put.userId) + Buffer.byteLength(step.put.name) : 0) +
      ('remove' in step ? Buffer.byteLength(step.remove) : 0);
    if (!part || bytes + size > PENDING_BYTES) {
      part = { count, pending: { put: [], remove: [] } };
      parts.push(part);
      bytes = 0;
    }
    if ('put' in step) part.pending.put.push({ userId: step.put.userId, name: step.put.name });
    if ('remove' in step) part.pending.remove.push(step.remove);
    count += step.delta;
    part.count = count;
    bytes += size;
  }
  return parts;
}
