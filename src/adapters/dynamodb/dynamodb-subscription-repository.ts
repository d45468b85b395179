import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Connection, Subscriber } from '../../domain/model';
import type { SubscriberPage, SubscriptionRepository } from '../../domain/ports/subscription-repository';
import { connectionExpiry } from './connection-item';
import { keys } from './keys';
import { queryPages } from './query-pages';
import { isLive, type TableContext } from './table';

export interface DynamoDbSubscriptionOptions {
  /** Subscribers read per Query page: the unit of work a fan-out holds in memory at once. */
  pageSize?: number;
}

/**
 * Each subscription is two items: one in the channel's partition (what fan-out queries) and one in the
 * connection's partition (what cleanup queries), so neither path ever scans.
 */
export class DynamoDbSubscriptionRepository implements SubscriptionRepository {
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
    await this.put({
      ...keys.subscriber(channel, connection.connectionId),
      connectionId: connection.connectionId,
      userId: connection.userId,
      name: connection.name,
      connectedAt: connection.connectedAt,
      expiresAt,
    });
  }

  async unsubscribe(channel: Channel, connectionId: string): Promise<boolean> {
    const removed = await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.subscriber(channel, connectionId), ReturnValues: 'ALL_OLD' }),
    );
    await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.connectionSubscription(connectionId, channel) }),
    );
    return isLive(removed.Attributes, this.table.clock.now());
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
    return { subscribers: (Items ?? []).filter((item) => isLive(item, now)).map(fromSubscriberItem), more: LastEvaluatedKey !== undefined };
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.table.client.send(new PutCommand({ TableName: this.table.tableName, Item: item }));
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
