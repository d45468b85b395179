import { GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FeedCursorRepository, FeedState } from '../../domain/ports/feed-cursor-repository';
import { keys } from './keys';
import { type Item, isLive, type TableContext, unlessConditionFails } from './table';

/**
 * The feed cursor, its article revision (`feedRevision`) and the lease live on the user's item, so
 * `reset` (deleting the user) also ends any stream.
 */
export class DynamoDbFeedCursorRepository implements FeedCursorRepository {
  constructor(private readonly table: TableContext) {}

  async startLease(userId: string, leaseId: string): Promise<number | undefined> {
    const attributes = await this.update(userId, {
      UpdateExpression: 'SET feedLease = :lease',
      ExpressionAttributeValues: { ':lease': leaseId },
      ConditionExpression: 'attribute_exists(pk)',
    });
    return attributes && Number(attributes.cursor ?? 0);
  }

  async stopLease(userId: string): Promise<number | undefined> {
    const attributes = await this.update(userId, {
      UpdateExpression: 'REMOVE feedLease',
      ConditionExpression: 'attribute_exists(pk)',
    });
    return attributes && Number(attributes.cursor ?? 0);
  }

  async read(userId: string): Promise<FeedState | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.user(userId), ConsistentRead: true }),
    );
    if (!isLive(Item, this.table.clock.now())) return undefined;
    return {
      cursor: Number(Item.cursor ?? 0),
      ...(typeof Item.feedRevision === 'string' ? { revision: Item.feedRevision } : {}),
      ...(typeof Item.feedLease === 'string' ? { leaseId: Item.feedLease } : {}),
    };
  }

  async claim(userId: string, leaseId: string, from: number, to: number, revision: string): Promise<boolean> {
    const attributes = await this.update(userId, {
      UpdateExpression: 'SET #cursor = :to, feedRevision = :revision',
      ConditionExpression:
        'feedLease = :lease AND (#cursor = :from OR (attribute_not_exists(#cursor) AND :from = :zero))',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: { ':to': to, ':from': from, ':lease': leaseId, ':zero': 0, ':revision': revision },
    });
    return attributes !== undefined;
  }

  async release(userId: string, leaseId: string, from: number, to: number): Promise<void> {
    // The lease too: after a takeover the cursor belongs to the new stream, which may stand at `to` as well.
    await this.update(userId, {
      UpdateExpression: 'SET #cursor = :from',
      ConditionExpression: 'feedLease = :lease AND #cursor = :to',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: { ':to': to, ':from': from, ':lease': leaseId },
    });
  }

  async restart(userId: string, leaseId: string, revision: string): Promise<boolean> {
    const attributes = await this.update(userId, {
      UpdateExpression: 'SET #cursor = :zero, feedRevision = :revision',
      ConditionExpression: 'feedLease = :lease',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: { ':zero': 0, ':lease': leaseId, ':revision': revision },
    });
    return attributes !== undefined;
  }

  async endLease(userId: string, leaseId: string): Promise<void> {
    await this.update(userId, {
      UpdateExpression: 'REMOVE feedLease',
      ConditionExpression: 'feedLease = :lease',
      ExpressionAttributeValues: { ':lease': leaseId },
    });
  }

  /** A conditional update of the user's item; `undefined` when the condition does not hold. */
  private async update(
    userId: string,
    input: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<Item | undefined> {
    const updated = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.user(userId),
          ReturnValues: 'ALL_NEW',
          ...input,
        }),
      ),
    );
    return updated && (updated.Attributes ?? {});
  }
}
