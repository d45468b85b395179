import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Connection } from '../../domain/model';
import type { ConnectionRepository, RemovedConnection } from '../../domain/ports/connection-repository';
import { connectionExpiry, fromConnectionItem, toConnectionAttributes, toConnectionItem } from './connection-item';
import { CONN_PREFIX, keys, SUB_PREFIX } from './keys';
import { queryAll } from './query-pages';
import { adjustSubscriberCount } from './subscriber-count';
import { toSubscriberItem } from './subscriber-item';
import { type Item, isLive, type TableContext, unlessConditionFails } from './table';

const BATCH_LIMIT = 25;
const MAX_BATCH_ATTEMPTS = 8;
const PARALLEL_BATCHES = 4;

/** One put or delete of a BatchWriteItem. */
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

export class DynamoDbConnectionRepository implements ConnectionRepository {
  constructor(private readonly table: TableContext) {}

  /**
   * One batch write for the connection, its user link and its memberships (nothing of a connection that has
   * just opened exists yet, so nothing needs a condition), beside the channels' counters: one round trip to
   * the table, not one per record.
   */
  async register(connection: Connection, channels: Channel[] = []): Promise<void> {
    const expiresAt = connectionExpiry(connection);
    const items = [
      toConnectionItem(connection),
      { ...keys.userConnection(connection.userId, connection.connectionId), ...toConnectionAttributes(connection) },
      ...channels.flatMap((channel) => [
        { ...keys.connectionSubscription(connection.connectionId, channel), channel, expiresAt },
        toSubscriberItem(channel, connection),
      ]),
    ];
    await Promise.all([
      this.writeAll(items.map((Item) => ({ PutRequest: { Item } }))),
      ...channels.map((channel) => adjustSubscriberCount(this.table, channel, 1)),
    ]);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.connection(connectionId), ConsistentRead: true }),
    );
    return isLive(Item, this.table.clock.now()) ? fromConnectionItem(Item) : undefined;
  }

  async listByUser(userId: string): Promise<Connection[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conn)',
      ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':conn': CONN_PREFIX },
    });
    return items.map(fromConnectionItem);
  }

  async remove(connectionId: string): Promise<RemovedConnection | undefined> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.connectionPartition(connectionId) },
    });
    const channels = items
      .map((item) => String(item.sk))
      .filter((sk) => sk.startsWith(SUB_PREFIX))
      .map((sk): Channel => sk.slice(SUB_PREFIX.length));
    // Deleting the connection item is the claim: of two racing removals only one gets it back.
    const connection = await this.claim(connectionId);
    const doomed = channels.flatMap((channel) => [
      keys.subscriber(channel, connectionId),
      keys.connectionSubscription(connectionId, channel),
    ]);
    if (connection) doomed.push(keys.userConnection(connection.userId, connectionId));
    await this.writeAll(doomed.map((Key) => ({ DeleteRequest: { Key } })));
    // Only the removal that claimed the connection counts its subscriptions down, so that a race counts once.
    if (connection) await Promise.all(channels.map((channel) => adjustSubscriberCount(this.table, channel, -1)));
    return connection ? { connection, channels } : undefined;
  }

  /**
   * Moves the connection to another user. Its own item is updated in place, not replaced, so what else it
   * carries (the rate limiter's state) survives: a reset must not refill the connection's rate limit. Its
   * subscriber items follow (one update each, bounded by the connection's caps), so that fan-out and `who`
   * see the new user; one that was removed meanwhile is not brought back.
   */
  async reassign(connection: Connection, previousUserId: string): Promise<Channel[] | undefined> {
    const moved = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.connection(connection.connectionId),
          UpdateExpression: 'SET userId = :userId, #name = :name, resumed = :resumed',
          ConditionExpression: 'attribute_exists(pk) AND userId = :previous',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':userId': connection.userId,
            ':name': connection.name,
            ':resumed': connection.resumed,
            ':previous': previousUserId,
          },
        }),
      ),
    );
    if (!moved) return undefined; // closed meanwhile ($disconnect removed it) or already moved: nothing to move
    await this.put({
      ...keys.userConnection(connection.userId, connection.connectionId),
      ...toConnectionAttributes(connection),
    });
    await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.userConnection(previousUserId, connection.connectionId),
      }),
    );
    const channels = await this.channelsOf(connection.connectionId);
    await Promise.all(channels.map((channel) => this.moveSubscriber(channel, connection)));
    return channels;
  }

  private async channelsOf(connectionId: string): Promise<Channel[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':pk': keys.connectionPartition(connectionId), ':sub': SUB_PREFIX },
    });
    return items.map((item): Channel => String(item.sk).slice(SUB_PREFIX.length));
  }

  private async moveSubscriber(channel: Channel, connection: Connection): Promise<void> {
    await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.subscriber(channel, connection.connectionId),
          UpdateExpression: 'SET userId = :userId, #name = :name',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':userId': connection.userId, ':name': connection.name },
        }),
      ),
    );
  }

  private async claim(connectionId: string): Promise<Connection | undefined> {
    const deleted = await unlessConditionFails(
      this.table.client.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.connection(connectionId),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return deleted?.Attributes ? fromConnectionItem(deleted.Attributes) : undefined;
  }

  /**
   * Writes in 25-item batches, `PARALLEL_BATCHES` in flight: a connection at the subscription cap has
   * about 200 items, and `$disconnect` must finish well inside its timeout (see docs/architecture.md).
   */
  private async writeAll(requests: WriteRequest[]): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_LIMIT)
      batches.push(requests.slice(start, start + BATCH_LIMIT));
    for (let start = 0; start < batches.length; start += PARALLEL_BATCHES) {
      await Promise.all(batches.slice(start, start + PARALLEL_BATCHES).map((batch) => this.writeBatch(batch)));
    }
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let requests = batch;
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`DynamoDB left ${requests.length} writes unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const { UnprocessedItems } = await this.table.client.send(
        new BatchWriteCommand({ RequestItems: { [this.table.tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[this.table.tableName] ?? []) as WriteRequest[];
    }
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.table.client.send(new PutCommand({ TableName: this.table.tableName, Item: item }));
  }
}
