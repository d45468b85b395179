import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../packages/local/src/dynamo-bootstrap';
import {
  type SwitchboardStack as LocalStack,
  type SwitchboardStackOptions,
  startSwitchboardStack,
} from '../../../scripts/local/switchboard-stack';
import { TestClient } from './test-client';

export interface E2eStack {
  stack: LocalStack;
  connect(query?: Record<string, string>): Promise<TestClient>;
  /** Every live item of a DynamoDB partition (for asserting what was written or removed). */
  partition(pk: string): Promise<Record<string, unknown>[]>;
  /** Writes an item directly, to set up records the app would not write itself (a missed `$disconnect`). */
  put(item: Record<string, unknown>): Promise<void>;
  /** Deletes an item directly (to take away records a test put). */
  remove(key: { pk: string; sk: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The options of a whole local stack for tests: free ports, in memory, silent, a fast tele-read pace, and every
 * function's container started with the stack, so that the tests' waits measure the app rather than cold starts.
 */
export function testStackOptions(env: Record<string, string> = {}): SwitchboardStackOptions {
  return {
    projectRoot: resolve(__dirname, '../../..'),
    wsPort: 0,
    httpPort: 0,
    webPort: null,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
    log: () => undefined,
    env: { FEED_INTERVAL_MS: '1', ...env },
    warmContainers: 'EAGER',
  };
}

/**
 * The whole local stack for tests (see `testStackOptions`); `parameters` override the template's, `options`
 * the stack's (`iam: true` to check SigV4 signatures).
 */
export async function startE2eStack(
  env: Record<string, string> = {},
  parameters?: Record<string, string>,
  options: Partial<SwitchboardStackOptions> = {},
): Promise<E2eStack> {
  const stack = await startSwitchboardStack({
    ...testStackOptions(env),
    ...options,
    ...(parameters ? { parameters } : {}),
  });
  const raw = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const documents = DynamoDBDocumentClient.from(raw);
  const clients: TestClient[] = [];
  return {
    stack,
    async connect(query = {}) {
      const client = await TestClient.connect(stack.wsUrl, query);
      clients.push(client);
      return client;
    },
    async partition(pk) {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: stack.tableName('SwitchboardTable'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
        }),
      );
      return Items ?? [];
    },
    async put(item) {
      await documents.send(new PutCommand({ TableName: stack.tableName('SwitchboardTable'), Item: item }));
    },
    async remove(key) {
      await documents.send(new DeleteCommand({ TableName: stack.tableName('SwitchboardTable'), Key: key }));
    },
    async stop() {
      for (const client of clients) client.kill();
      raw.destroy();
      await stack.stop();
    },
  };
}
