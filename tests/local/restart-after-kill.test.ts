import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../packages/local/src/dynamo-bootstrap';
import { type Frame, TestClient } from '../e2e/support/test-client';

const PROJECT_ROOT = resolve(__dirname, '../..');

interface RunningStack {
  child: ChildProcess;
  wsUrl: string;
  dynamoEndpoint: string;
  output: string[];
}

/** `scripts/start.ts` (what `npm start` runs) in a child process on free ports, resolved once it is up. */
function startStackProcess(dataDir: string): Promise<RunningStack> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/start.ts',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--web-port',
      '0',
      '--dynamo-port',
      '0',
      '--data-dir',
      dataDir,
      '--quiet',
    ],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  const output: string[] = [];
  return new Promise((resolveUp, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start: ${output.join('')}`)), 30_000);
    const onOutput = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const text = output.join('');
      const wsUrl = /WebSocket\s+(ws:\/\/localhost:\d+)/.exec(text)?.[1];
      const dynamoEndpoint = /DynamoDB\s+(http:\/\/localhost:\d+)/.exec(text)?.[1];
      if (wsUrl && dynamoEndpoint) {
        clearTimeout(timer);
        resolveUp({ child, wsUrl, dynamoEndpoint, output });
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited with ${String(code)}: ${output.join('')}`));
    });
  });
}

function kill9(stack: RunningStack): Promise<void> {
  return new Promise((resolveExit) => {
    if (stack.child.exitCode !== null || stack.child.signalCode !== null) return resolveExit();
    stack.child.removeAllListeners('exit');
    stack.child.once('exit', () => resolveExit());
    stack.child.kill('SIGKILL');
  });
}

async function partition(endpoint: string, pk: string): Promise<Record<string, unknown>[]> {
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    const { Items } = await DynamoDBDocumentClient.from(raw).send(
      new QueryCommand({
        TableName: 'SwitchboardTable',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    return Items ?? [];
  } finally {
    raw.destroy();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-restart-'));
const stacks: RunningStack[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const client of clients) client.kill();
  for (const stack of stacks) await kill9(stack);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a local stack killed with SIGKILL and started again on the same data folder', () => {
  it('runs $disconnect for every connection the dead process had open: no records, subscriptions or who listing remain', async () => {
    const first = await startStackProcess(dataDir);
    stacks.push(first);
    const dead: Array<{ client: TestClient; session: Frame }> = [];
    for (const name of ['Ada', 'Bob', 'Cy']) {
      const client = await TestClient.connect(first.wsUrl, { name, topicName: 'restart' });
      clients.push(client);
      dead.push({ client, session: await client.session() });
    }
    expect(await partition(first.dynamoEndpoint, 'SUBS#topic:restart')).toHaveLength(3);

    await kill9(first);
    const second = await startStackProcess(dataDir);
    stacks.push(second);
    const records = await Promise.all(
      dead.map(({ session }) => partition(second.dynamoEndpoint, `CONN#${String(session.connectionId)}`)),
    );
    const subscribers = await partition(second.dynamoEndpoint, 'SUBS#topic:restart');
    // Ada again, on a new connection: her resume announces nothing, so no broadcast meets the dead sockets' 410s first.
    const ada = await TestClient.connect(second.wsUrl, { token: String(dead[0]?.session.token) });
    clients.push(ada);
    const who = await ada.request({ action: 'who' }, (frame) => frame.type === 'who');

    expect(records.flat()).toEqual([]);
    expect(subscribers).toEqual([]);
    expect(who.users).toEqual([expect.objectContaining({ name: 'Ada', connections: 1 })]);
  });
});
