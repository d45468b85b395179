import { type ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanConnectionIds } from './scan-connections';

export interface AlternativeResult {
  sent: number;
  failed: number;
  /** The first failure's message, to tell throttling from socket errors. */
  firstError?: string;
}

/** The chat seeds' strategy: Scan for the recipients, then post to them one after another. */
export async function sequentialFanOut(
  dynamo: DynamoDBDocumentClient,
  api: ApiGatewayManagementApiClient,
  tableName: string,
  channel: string,
  data: string,
): Promise<AlternativeResult> {
  const result: AlternativeResult = { sent: 0, failed: 0 };
  for (const connectionId of await scanConnectionIds(dynamo, tableName, channel)) {
    try {
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      result.sent += 1;
    } catch (error) {
      result.failed += 1;
      result.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  return result;
}
