import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { User } from '../../domain/model';
import type { UserRepository } from '../../domain/ports/user-repository';
import { keys } from './keys';
import { epochSeconds, type Item, isLive, type TableContext, unlessConditionFails } from './table';

export interface DynamoDbUserOptions {
  /** A session is forgotten this long after its user was last seen. */
  sessionTtlSeconds: number;
}

export class DynamoDbUserRepository implements UserRepository {
  constructor(
    private readonly table: TableContext,
    private readonly options: DynamoDbUserOptions,
  ) {}

  async create(user: User): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...keys.user(user.userId), ...user, expiresAt: this.expiry() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(userId: string): Promise<User | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.user(userId), ConsistentRead: true }),
    );
    return isLive(Item, this.table.clock.now()) ? fromUserItem(Item) : undefined;
  }

  async touch(userId: string, name: string): Promise<void> {
    await this.updateExisting(userId, 'SET #name = :name, expiresAt = :expiresAt', {
      ':name': name,
      ':expiresAt': this.expiry(),
    });
  }

  async ensure(user: User, options: { rename: boolean }): Promise<{ user: User; created: boolean }> {
    const { Attributes } = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.user(user.userId),
        UpdateExpression: `SET userId = :userId, #name = ${options.rename ? ':name' : 'if_not_exists(#name, :name)'}, createdAt = if_not_exists(createdAt, :createdAt), #cursor = if_not_exists(#cursor, :cursor), expiresAt = :expiresAt`,
        ExpressionAttributeNames: { '#name': 'name', '#cursor': 'cursor' },
        ExpressionAttributeValues: {
          ':userId': user.userId,
          ':name': user.name,
          ':createdAt': user.createdAt,
          ':cursor': user.cursor,
          ':expiresAt': this.expiry(),
        },
        // The old item tells a first handshake from a later one; the new one is the old with what was set.
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!Attributes) return { user, created: true };
    const stored = fromUserItem(Attributes);
    return { user: options.rename ? { ...stored, name: user.name } : stored, created: false };
  }

  async delete(userId: string): Promise<void> {
    await this.table.client.send(new DeleteCommand({ TableName: this.table.tableName, Key: keys.user(userId) }));
  }

  /** Updates a user that exists; `undefined` when it does not (never resurrects a reset user). */
  private async updateExisting(
    userId: string,
    update: string,
    values: Item,
    condition?: string,
  ): Promise<Item | undefined> {
    const updated = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.user(userId),
          UpdateExpression: update,
          ConditionExpression: condition ? `attribute_exists(pk) AND ${condition}` : 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(update.includes('#name') ? { ExpressionAttributeNames: { '#name': 'name' } } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return updated?.Attributes;
  }

  private expiry(): number {
    return epochSeconds(this.table.clock.now()) + this.options.sessionTtlSeconds;
  }
}

function fromUserItem(item: Item): User {
  return {
    userId: String(item.userId),
    name: String(item.name),
    createdAt: String(item.createdAt),
    cursor: Number(item.cursor ?? 0),
    ...(typeof item.feedRevision === 'string' ? { feedRevision: item.feedRevision } : {}),
  };
}
