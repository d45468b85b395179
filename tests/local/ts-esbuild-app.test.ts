import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../packages/local/src/dynamo-bootstrap';
import { type LocalStack, startLocalStack } from '../../packages/local/src/stack';
import { runChatScenario } from './support/chat-scenario';
import { FIXTURES } from './support/fixture-stack';

/** Outside this repository, so that the app has only what SAM would give it: its files and the runtime's SDK. */
const APP = mkdtempSync(join(tmpdir(), 'switchboard-ts-esbuild-app-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  cpSync(join(FIXTURES, 'apps', 'ts-esbuild'), APP, { recursive: true });
  const dynamoPort = await freePort();
  stack = await startLocalStack({
    templatePath: join(APP, 'template.yaml'),
    projectRoot: APP,
    wsPort: 0,
    httpPort: 0,
    dynamoPort,
    dataDir: null,
    quiet: true,
    log: () => undefined,
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }),
  );
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
  rmSync(APP, { recursive: true, force: true });
});

const storedConnections = async (): Promise<unknown[]> => {
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: stack.tableName('ConnectionsTable'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'connections' },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
};

async function eventually(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('a TypeScript SAM chat built with esbuild metadata, run unmodified', () => {
  it('connects two clients, delivers a chat message from one to the other, and forgets both at disconnect', async () => {
    const { received, closes } = await runChatScenario(stack.wsUrl);

    expect(received).toBe('hi');
    expect(closes.map((close) => close.code)).toEqual([1000, 1000]);
    expect(await eventually(async () => (await storedConnections()).length === 0)).toBe(true);
  });
});
