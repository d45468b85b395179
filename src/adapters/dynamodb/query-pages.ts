import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Item, isLive, type TableContext } from './table';

/**
 * Reads a Query page by page, strongly consistent, dropping items whose TTL has passed. Stops early
 * once `maxItems` live items have been returned.
 */
export async function* queryPages(
  table: TableContext,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  maxItems = Number.POSITIVE_INFINITY,
): AsyncGenerator<Item[]> {
  let startKey: Record<string, unknown> | undefined;
  let returned = 0;
  do {
    const page = await table.client.send(
      new QueryCommand({ ConsistentRead: true, ...input, TableName: table.tableName, ExclusiveStartKey: startKey }),
    );
    const now = table.clock.now();
    const live = (page.Items ?? []).filter((item) => isLive(item, now)).slice(0, maxItems - returned);
    returned += live.length;
    if (live.length > 0) yield live;
    startKey = page.LastEvaluatedKey;
  } while (startKey && returned < maxItems);
}

export async function queryAll(
  table: TableContext,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  maxItems?: number,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(table, input, maxItems)) items.push(...page);
  return items;
}
