import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Item, TableContext } from './table';

/** BatchGetItem takes at most 100 keys. */
const GET_LIMIT = 100;
const MAX_ATTEMPTS = 8;
/** Requests in flight at once: a presence batch of a thousand users is a few round trips, not ten. */
const PARALLEL_REQUESTS = 4;

/**
 * Reads items by key, strongly consistent, 100 keys a request (4 requests at once), asking again (with backoff) for the keys
 * DynamoDB leaves unprocessed. Returns the items found, in no particular order; absent keys are left out.
 */
export async function batchGet(table: TableContext, itemKeys: Item[]): Promise<Item[]> {
  const chunks: Item[][] = [];
  for (let at = 0; at < itemKeys.length; at += GET_LIMIT) chunks.push(itemKeys.slice(at, at + GET_LIMIT));
  const found: Item[] = [];
  for (let at = 0; at < chunks.length; at += PARALLEL_REQUESTS) {
    const pages = await Promise.all(chunks.slice(at, at + PARALLEL_REQUESTS).map((chunk) => getChunk(table, chunk)));
    for (const page of pages) found.push(...page);
  }
  return found;
}

async function getChunk(table: TableContext, itemKeys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  let requested = itemKeys;
  for (let attempt = 0; requested.length > 0; attempt += 1) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB left ${requested.length} reads unprocessed`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    const { Responses, UnprocessedKeys } = await table.client.send(
      new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: requested, ConsistentRead: true } } }),
    );
    found.push(...(Responses?.[table.tableName] ?? []));
    requested = (UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Item[];
  }
  return found;
}
