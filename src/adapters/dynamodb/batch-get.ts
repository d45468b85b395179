import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Item, TableContext } from './table';

/** BatchGetItem takes at most 100 keys. */
const GET_LIMIT = 100;
const MAX_ATTEMPTS = 8;

/**
 * Reads items by key, strongly consistent, 100 keys a request, asking again (with backoff) for the keys
 * DynamoDB leaves unprocessed. Returns the items found, in no particular order; absent keys are left out.
 */
export async function batchGet(table: TableContext, itemKeys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let at = 0; at < itemKeys.length; at += GET_LIMIT) {
    let requested = itemKeys.slice(at, at + GET_LIMIT);
    for (let attempt = 0; requested.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB left ${requested.length} reads unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const { Responses, UnprocessedKeys } = await table.client.send(
        new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: requested, ConsistentRead: true } } }),
      );
      found.push(...(Responses?.[table.tableName] ?? []));
      requested = (UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}
