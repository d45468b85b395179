import { type ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanConnectionIds } from './scan-connections';
import type { AlternativeResult } from './sequential-fan-out';

/** The topic seed's and AWS's chat sample's strategy: Scan, then one `Promise.all` over every recipient. */
export async function promiseAllFanOut(
  dynamo: DynamoDBDocumentClient,
  api: ApiGatewayManagementApiClient,
  tableName: string,
  channel: string,
  data: string,
): Promise<AlternativeResult> {
  const ids = await scanConnectionIds(dynamo, tableName, channel);
  const outcomes = await Promise.allSettled(
    ids.map((connectionId) => api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }))),
  );
  const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  const first = rejected[0]?.reason as unknown;
  return {
    sent: ids.length - rejected.length,
    failed: rejected.length,
    ...(first === undefined
      ? {}
      : { firstError: first instanceof Error ? `${first.name}: ${first.message}` : String(first) }),
  };
}
