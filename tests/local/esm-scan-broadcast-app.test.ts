import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../packages/local/src/dynamo-bootstrap';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../packages/local/src/stack';
import { runChatScenario } from './support/chat-scenario';
import { FIXTURES } from './support/fixture-stack';

const APP = join(FIXTURES, 'apps', 'esm-scan-broadcast');

/** The app as its author wrote it: its own template, plain ES modules, no build step, no SDK in its folders. */
const startApp = (options: LocalStackOptions = {}) =>
  startLocalStack({
    templatePath: join(APP, 'template.yaml'),
    projectRoot: APP,
    wsPort: 0,
    httpPort: 0,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
    log: () => undefined,
    ...options,
  });

const tableItems = async (stack: LocalStack, tableName: string) => {
  const client = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
  return Items ?? [];
};

/** The table's items once they stop changing to something else: `$disconnect` runs after the client sees its close. */
async function itemsOnceEmpty(stack: LocalStack, tableName: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let items = await tableItems(stack, tableName);
  while (items.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    items = await tableItems(stack, tableName);
  }
  return items;
}

describe('fixture app: plain JavaScript ES modules, execute-api endpoint built from the event, Scan broadcast', () => {
  it('chats: two clients connect, one sends, the other receives, both disconnect and are forgotten', async () => {
    const stack = await startApp();
    try {
      await runChatScenario(`${stack.wsUrl}/Prod`);

      expect(stack.tableName('ConnectionsTable')).toBe('esm_scan_connections');
      expect(await itemsOnceEmpty(stack, 'esm_scan_connections')).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('follows a TableName parameter override, and forgets a connection that is gone (410) when it broadcasts', async () => {
    const stack = await startApp({ parameters: { TableName: 'renamed_connections' } });
    try {
      const client = new DynamoDBClient({
        endpoint: stack.dynamoEndpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      });
      await client.send(
        new PutItemCommand({ TableName: 'renamed_connections', Item: { connectionId: { S: 'GoneGoneGoneGon=' } } }),
      );

      await runChatScenario(`${stack.wsUrl}/Prod`);

      expect(await itemsOnceEmpty(stack, 'renamed_connections')).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});
