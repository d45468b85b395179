import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/ports/clock';

/**
 * What every DynamoDB adapter shares: the document client (built once per container by the composition
 * root), the single table, and a clock for TTLs and for ignoring expired items that TTL has not deleted
 * yet (TTL deletes lazily in AWS, and not at all in the embedded DynamoDB).
 */
export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}

export type Item = Record<string, unknown>;

/** Epoch seconds, the unit DynamoDB TTL reads in `expiresAt`. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function isLive(item: Item | undefined, now: Date): item is Item {
  if (!item) return false;
  const expiresAt = item.expiresAt;
  return typeof expiresAt !== 'number' || expiresAt > epochSeconds(now);
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A conditional write's output, or `undefined` when its condition did not hold; any other error is thrown. */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
