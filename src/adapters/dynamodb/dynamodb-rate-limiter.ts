import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../domain/ports/rate-limiter';
import { keys } from './keys';
import { isConditionFailure, type TableContext } from './table';

export interface DynamoDbRateLimiterOptions {
  /** Sustained messages per second per connection. */
  ratePerSecond: number;
  /** Messages a connection may send at once above the sustained rate. */
  burst: number;
}

const ATTEMPTS = 3;

/**
 * GCRA (the generic cell rate algorithm, a token bucket kept as one number): the connection's item holds
 * its theoretical arrival time; a message is allowed while that time is less than `burst` intervals
 * ahead of now, and pushes it one interval further. The write is conditional on the value read, so
 * concurrent frames of one connection never both spend the same slot.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(
    private readonly table: TableContext,
    options: DynamoDbRateLimiterOptions,
  ) {
    this.intervalMs = 1000 / options.ratePerSecond;
    this.toleranceMs = this.intervalMs * options.burst;
  }

  async tryAcquire(connectionId: string): Promise<boolean> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const { Item } = await this.table.client.send(
        new GetCommand({ TableName: this.table.tableName, Key: keys.connection(connectionId), ConsistentRead: true, ProjectionExpression: 'rateTat' }),
      );
      const now = this.table.clock.now().getTime();
      const stored = typeof Item?.rateTat === 'number' ? Item.rateTat : undefined;
      const tat = Math.max(stored ?? now, now);
      if (tat - now >= this.toleranceMs) return false;
      try {
        await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.connection(connectionId),
            UpdateExpression: 'SET rateTat = :next',
            ConditionExpression: stored === undefined ? 'attribute_exists(pk) AND attribute_not_exists(rateTat)' : 'rateTat = :stored',
            ExpressionAttributeValues: { ':next': tat + this.intervalMs, ...(stored === undefined ? {} : { ':stored': stored }) },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // Lost the race every time: this connection is sending faster than its slots can be written.
    return false;
  }
}
