import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * How the samples this project replaces find their recipients: a Scan of the whole table, filtered to the
 * channel's subscriber items (here `pk = SUBS#{channel}` of Switchboard's own table), every page read.
 */
export async function scanConnectionIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  channel: string,
): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const { Items, LastEvaluatedKey } = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SUBS#${channel}` },
        ProjectionExpression: 'connectionId',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of Items ?? []) ids.push(String(item.connectionId));
    startKey = LastEvaluatedKey;
    if (!startKey) break;
  }
  return ids;
}
