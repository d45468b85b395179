import { BatchGetCommand, BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatUser } from '../../domain/frames';
import type { AnnouncedChange, PresenceLedger, RoomClaim, RoomHeld } from '../../domain/ports/presence-ledger';
import { keys } from './keys';
import { type Item, type TableContext, unlessConditionFails } from './table';

/** BatchGetItem takes at most 100 keys, BatchWriteItem 25 writes. */
const GET_LIMIT = 100;
const WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 8;

/**
 * The presence ledger in the single table (see `keys`): one `ROOM` item per room for the interval claim, the
 * tick and the announced count, and one `USER#` item per user the room was told is there. Every call is by
 * key, for the users a batch touched: never a Query of the room, never a Scan.
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
      return {
        claimed: true,
        tick: Number(claimed.Attributes?.tick ?? 1),
        count: Number(claimed.Attributes?.count ?? 0),
      };
    }
    const { Item: held } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.presenceRoom(room), ConsistentRead: true }),
    );
    // Released between the two reads: report it free now, and the caller claims again at once.
    return { claimed: false, until: new Date(Number(held?.claimedUntil ?? now.getTime())) };
  }

  async release(room: string, tick: number, until: Date): Promise<void> {
    await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.presenceRoom(room),
          UpdateExpression: 'SET claimedUntil = :until',
          ConditionExpression: 'tick = :tick',
          ExpressionAttributeValues: { ':until': until.getTime(), ':tick': tick },
        }),
      ),
    );
  }

  async announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>> {
    const found = new Map<string, ChatUser>();
    const unique = [...new Set(userIds)];
    for (let at = 0; at < unique.length; at += GET_LIMIT) {
      let requested: Item[] = unique.slice(at, at + GET_LIMIT).map((userId) => keys.presenceAnnounced(room, userId));
      for (let attempt = 0; requested.length > 0; attempt += 1) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB left ${requested.length} presence reads unprocessed`);
        if (attempt > 0) await backOff(attempt);
        const { Responses, UnprocessedKeys } = await this.table.client.send(
          new BatchGetCommand({
            RequestItems: { [this.table.tableName]: { Keys: requested, ConsistentRead: true } },
          }),
        );
        for (const item of Responses?.[this.table.tableName] ?? []) {
          found.set(String(item.userId), { userId: String(item.userId), name: String(item.name) });
        }
        requested = (UnprocessedKeys?.[this.table.tableName]?.Keys ?? []) as Item[];
      }
    }
    return found;
  }

  async record(room: string, change: AnnouncedChange): Promise<void> {
    const writes = [
      ...change.joined.map((user) => ({
        PutRequest: { Item: { ...keys.presenceAnnounced(room, user.userId), userId: user.userId, name: user.name } },
      })),
      ...change.left.map((userId) => ({ DeleteRequest: { Key: keys.presenceAnnounced(room, userId) } })),
    ];
    for (let at = 0; at < writes.length; at += WRITE_LIMIT) await this.writeBatch(writes.slice(at, at + WRITE_LIMIT));
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.presenceRoom(room),
        UpdateExpression: 'SET #count = :count',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':count': change.count },
      }),
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
