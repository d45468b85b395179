import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Connection, Subscriber } from '../../domain/model';
import type { ShardPage, SubscriberShard, SubscriberShards } from '../../domain/ports/subscriber-shards';
import type {
  SubscriberPage,
  SubscriptionCap,
  SubscriptionRepository,
} from '../../domain/ports/subscription-repository';
import { batchGet } from './batch-get';
import { connectionExpiry } from './connection-item';
import { CONN_PREFIX, keys } from './keys';
import { queryPages } from './query-pages';
import { leftRoomRateAttribute, RATE_PREFIX } from './rate-attributes';
import { adjustSubscriberCount } from './subscriber-count';
import { toSubscriberItem } from './subscriber-item';
import { subscriberRange } from './subscriber-ranges';
import { isLive, type TableContext, unlessConditionFails } from './table';

export interface DynamoDbSubscriptionOptions {
  /** Subscribers read per Query page: the unit of work a fan-out holds in memory at once. */
  pageSize?: number;
}

/**
 * Each subscription is two items: one in the channel's partition (what fan-out queries) and one in the
 * connection's partition (what cleanup queries), so neither path ever scans. A connection's counted
 * subscriptions are a number on its own item (`subscriptions`), moved by conditional `ADD`s, so the cap
 * costs one write however many it holds. A counter item per channel says how large it is; fan-out
 * workers read the channel's partition in disjoint sort key ranges.
 */
export class DynamoDbSubscriptionRepository implements SubscriptionRepository, SubscriberShards {
  private readonly pageSize: number;

  constructor(
    private readonly table: TableContext,
    options: DynamoDbSubscriptionOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
  }

  async subscribe(channel: Channel, connection: Connection, cap?: SubscriptionCap): Promise<boolean> {
    const expiresAt = connectionExpiry(connection);
    const marker = { ...keys.connectionSubscription(connection.connectionId, channel), channel, expiresAt };
    // The connection-side marker first: if a later write fails, cleanup still finds the channel.
    if (cap === undefined) {
      // An update, not a put: a repeat keeps what the marker holds (the connection's budgets in a room).
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.connectionSubscription(connection.connectionId, channel),
          UpdateExpression: 'SET channel = :channel, expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':channel': channel, ':expiresAt': expiresAt },
        }),
      );
    } else {
      // `counted: true` is a topic (as written before rooms were counted), `'rooms'` a room.
      const counted = cap.counter === 'topics' ? true : cap.counter;
      const added = await unlessConditionFails(this.put({ ...marker, counted }, 'attribute_not_exists(pk)'));
      // A marker that was there already is a repeat: it holds its place, and is not counted again.
      if (added && !(await this.count(connection.connectionId, cap.counter, 1, cap.limit))) {
        await this.delete(marker);
        return false;
      }
    }
    const previous = await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: toSubscriberItem(channel, connection),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!previous.Attributes) await adjustSubscriberCount(this.table, channel, 1);
    return true;
  }

  async unsubscribe(channel: Channel, connectionId: string): Promise<boolean> {
    const removed = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.subscriber(channel, connectionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const marker = await this.table.client.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.connectionSubscription(connectionId, channel),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (removed.Attributes) await adjustSubscriberCount(this.table, channel, -1);
    await this.keepLeftBudgets(connectionId, marker.Attributes);
    // Only the call that deleted the marker gives its place back, however many unsubscribes race.
    const counted = marker.Attributes?.counted;
    if (counted === true) await this.count(connectionId, 'topics', -1);
    if (counted === 'rooms') await this.count(connectionId, 'rooms', -1);
    return isLive(removed.Attributes, this.table.clock.now());
  }

  async countSubscribers(channel: Channel): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.subscriberCount(channel) }),
    );
    return Math.max(0, Number(Item?.subscribers ?? 0));
  }

  async shardPage(channel: Channel, shard: SubscriberShard, cursor: string | null, limit: number): Promise<ShardPage> {
    const { from, to } = subscriberRange(shard);
    const partition = keys.subscribersPartition(channel);
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
        Limit: limit,
        ...(cursor === null ? {} : { ExclusiveStartKey: keys.subscriber(channel, cursor) }),
      }),
    );
    const now = this.table.clock.now();
    const last = result.LastEvaluatedKey?.sk;
    return {
      subscribers: (result.Items ?? []).filter((item) => isLive(item, now)).map(fromSubscriberItem),
      next: typeof last === 'string' ? last.slice(CONN_PREFIX.length) : null,
    };
  }

  async isSubscribed(channel: Channel, connectionId: string): Promise<boolean> {
    return (await this.member(channel, connectionId)) !== undefined;
  }

  async member(channel: Channel, connectionId: string): Promise<Subscriber | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.subscriber(channel, connectionId),
        ConsistentRead: true,
      }),
    );
    return Item && isLive(Item, this.table.clock.now()) ? fromSubscriberItem(Item) : undefined;
  }

  async members(channel: Channel, connectionIds: string[]): Promise<Map<string, Subscriber>> {
    const now = this.table.clock.now();
    const items = await batchGet(
      this.table,
      [...new Set(connectionIds)].map((connectionId) => keys.subscriber(channel, connectionId)),
    );
    return new Map(
      items
        .filter((item) => isLive(item, now))
        .map(fromSubscriberItem)
        .map((subscriber) => [subscriber.connectionId, subscriber]),
    );
  }

  async *subscribers(channel: Channel): AsyncIterable<Subscriber[]> {
    const pages = queryPages(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.subscribersPartition(channel) },
      Limit: this.pageSize,
    });
    for await (const page of pages) yield page.map(fromSubscriberItem);
  }

  async page(channel: Channel, limit: number, after?: string): Promise<SubscriberPage> {
    // One Query: the channel's partition is fixed here, so `after` can only move within it.
    const { Items, LastEvaluatedKey } = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.subscribersPartition(channel) },
        ExclusiveStartKey: after === undefined ? undefined : keys.subscriber(channel, after),
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    const now = this.table.clock.now();
    return {
      subscribers: (Items ?? []).filter((item) => isLive(item, now)).map(fromSubscriberItem),
      more: LastEvaluatedKey !== undefined,
    };
  }

  /** Moves one of the connection's counters; a +1 only below `limit`. False when refused (or the connection is gone). */
  private async count(
    connectionId: string,
    counter: SubscriptionCap['counter'],
    delta: 1 | -1,
    limit?: number,
  ): Promise<boolean> {
    // Topics keep the attribute name they had before rooms were counted.
    const attribute = counter === 'topics' ? 'subscriptions' : 'rooms';
    const updated = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.connection(connectionId),
          UpdateExpression: 'ADD #counter :delta',
          ConditionExpression:
            limit === undefined
              ? 'attribute_exists(pk)'
              : 'attribute_exists(pk) AND (attribute_not_exists(#counter) OR #counter < :limit)',
          ExpressionAttributeNames: { '#counter': attribute },
          ExpressionAttributeValues: { ':delta': delta, ...(limit === undefined ? {} : { ':limit': limit }) },
        }),
      ),
    );
    return updated !== undefined;
  }

  /**
   * A room's rate buckets (on the marker just deleted) that are still in debt move to the connection's item,
   * keeping the latest per class: the next room the connection joins starts its buckets there (see
   * DynamoDbRateLimiter), so leaving and joining again refills nothing. At most one write per class.
   */
  private async keepLeftBudgets(connectionId: string, marker: Record<string, unknown> | undefined): Promise<void> {
    const now = this.table.clock.now().getTime();
    for (const [attribute, value] of Object.entries(marker ?? {})) {
      if (!attribute.startsWith(RATE_PREFIX) || typeof value !== 'number' || value <= now) continue;
      await unlessConditionFails(
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.connection(connectionId),
            UpdateExpression: 'SET #left = :tat',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#left) OR #left < :tat)',
            ExpressionAttributeNames: { '#left': leftRoomRateAttribute(attribute) },
            ExpressionAttributeValues: { ':tat': value },
          }),
        ),
      );
    }
  }

  /** True once written (a conditional put whose condition fails throws, see `unlessConditionFails`). */
  private async put(item: Record<string, unknown>, condition?: string): Promise<true> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
      }),
    );
    return true;
  }

  private async delete(key: { pk: string; sk: string }): Promise<void> {
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: { pk: key.pk, sk: key.sk } }),
    );
  }
}

function fromSubscriberItem(item: Record<string, unknown>): Subscriber {
  return {
    connectionId: String(item.connectionId),
    userId: String(item.userId),
    name: String(item.name),
    connectedAt: String(item.connectedAt),
  };
}
