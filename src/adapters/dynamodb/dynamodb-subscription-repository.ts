import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Connection, Subscriber } from '../../domain/model';
import type { SubscriberPage, SubscriberShard, SubscriberShards } from '../../domain/ports/subscriber-shards';
import type { SubscriptionRepository } from '../../domain/ports/subscription-repository';
import { connectionExpiry } from './connection-item';
import { CONN_PREFIX, keys } from './keys';
import { queryPages } from './query-pages';
import { adjustSubscriberCount } from './subscriber-count';
import { subscriberRange } from './subscriber-ranges';
import { isLive, type TableContext } from './table';

export interface DynamoDbSubscriptionOptions {
  /** Subscribers read per Query page: the unit of work a fan-out holds in memory at once. */
  pageSize?: number;
}

/**
 * Each subscription is two items: one in the channel's partition (what fan-out queries) and one in the
 * connection's partition (what cleanup queries), so neither path ever scans. A counter item per channel
 * says how large it is; fan-out workers read the channel's partition in disjoint sort key ranges.
 */
export class DynamoDbSubscriptionRepository implements SubscriptionRepository, SubscriberShards {
  private readonly pageSize: number;

  constructor(
    private readonly table: TableContext,
    options: DynamoDbSubscriptionOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
  }

  async subscribe(channel: Channel, connection: Connection): Promise<void> {
    const expiresAt = connectionExpiry(connection);
    // The connection-side marker first: if the second write fails, cleanup still finds the channel.
    await this.put({ ...keys.connectionSubscription(connection.connectionId, channel), channel, expiresAt });
    const previous = await this.table.client.send(new PutCommand({
      TableName: this.table.tableName,
      Item: {
        ...keys.subscriber(channel, connection.connectionId),
        connectionId: connection.connectionId,
        userId: connection.userId,
        name: connection.name,
        connectedAt: connection.connectedAt,
        expiresAt,
      },
      ReturnValues: 'ALL_OLD',
    }));
    if (!previous.Attributes) await adjustSubscriberCount(this.table, channel, 1);
  }

  async unsubscribe(channel: Channel, connectionId: string): Promise<boolean> {
    const removed = await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.subscriber(channel, connectionId), ReturnValues: 'ALL_OLD' }),
    );
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.connectionSubscription(connectionId, channel) }),
    );
    if (removed.Attributes) await adjustSubscriberCount(this.table, channel, -1);
    return isLive(removed.Attributes, this.table.clock.now());
  }

  async count(channel: Channel): Promise<number> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.subscriberCount(channel) }),
    );
    return Math.max(0, Number(Item?.subscribers ?? 0));
  }

  async page(channel: Channel, shard: SubscriberShard, cursor: string | null, limit: number): Promise<SubscriberPage> {
    const { from, to } = subscriberRange(shard);
    const partition = keys.subscribersPartition(channel);
    const result = await this.table.client.send(new QueryCommand({
      TableName: this.table.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
      Limit: limit,
      ...(cursor === null ? {} : { ExclusiveStartKey: keys.subscriber(channel, cursor) }),
    }));
    const now = this.table.clock.now();
    const last = result.LastEvaluatedKey?.sk;
    return {
      subscribers: (result.Items ?? []).filter((item) => isLive(item, now)).map(toSubscriber),
      next: typeof last === 'string' ? last.slice(CONN_PREFIX.length) : null,
    };
  }

  async isSubscribed(channel: Channel, connectionId: string): Promise<boolean> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.subscriber(channel, connectionId), ConsistentRead: true }),
    );
    return isLive(Item, this.table.clock.now());
  }

  async *subscribers(channel: Channel): AsyncIterable<Subscriber[]> {
    const pages = queryPages(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.subscribersPartition(channel) },
      Limit: this.pageSize,
    });
    for await (const page of pages) {
      yield page.map(toSubscriber);
    }
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.table.client.send(new PutCommand({ TableName: this.table.tableName, Item: item }));
  }
}

function toSubscriber(item: Record<string, unknown>): Subscriber {
  return {
    connectionId: String(item.connectionId),
    userId: String(item.userId),
    name: String(item.name),
    connectedAt: String(item.connectedAt),
  };
}
