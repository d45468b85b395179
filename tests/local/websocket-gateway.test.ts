import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../packages/local/src/stack';
import { nextReport } from './fixtures/handlers/probe';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket, type TestSocket } from './support/test-socket';

interface DisconnectEvent {
  requestContext: { connectionId: string; disconnectStatusCode: number; disconnectReason: string; eventType: string };
}
interface ConnectEvent {
  queryStringParameters: Record<string, string> | null;
  requestContext: { connectionId: string };
}
interface Echo {
  routeKey: string;
  body?: string;
  isBase64Encoded?: boolean;
  env?: Record<string, string | null>;
  hasSecret?: boolean;
}

let stack: LocalStack & { lines: string[] };
let documents: DynamoDBDocumentClient;
const sockets: TestSocket[] = [];

async function connect(query = '', protocols?: string | string[]): Promise<TestSocket & { connectionId: string }> {
  const connected = nextReport<ConnectEvent>('connect', (e) => (e.queryStringParameters?.tag ?? '') === tagOf(query));
  const socket = await openSocket(`${stack.wsUrl}${query}`, protocols);
  sockets.push(socket);
  return Object.assign(socket, { connectionId: (await connected).requestContext.connectionId });
}
const tagOf = (query: string): string => new URLSearchParams(query.replace(/^\?/, '')).get('tag') ?? '';
let counter = 0;
const tag = (): string => {
  counter += 1;
  return `t${counter}`;
};
const disconnectOf = (connectionId: string) =>
  nextReport<DisconnectEvent>('disconnect', (e) => e.requestContext.connectionId === connectionId);

beforeAll(async () => {
  stack = await startFixtureStack({ idleTimeoutMs: 60_000, env: { FIXTURE_EXTRA: 'from-options' } });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  documents.destroy();
  await stack.stop();
});

describe('the local WebSocket gateway', () => {
  it('runs $connect, which stores the connection through the real DynamoDB client', async () => {
    const socket = await connect(`?tag=${tag()}&name=Ada`);

    const item = await documents.send(
      new GetCommand({
        TableName: stack.tableName('ConnectionsTable'),
        Key: { pk: `conn#${socket.connectionId}`, sk: 'meta' },
      }),
    );

    expect(item.Item).toMatchObject({ name: 'Ada', gsi1pk: 'connections' });
    expect(socket.connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);
  });

  it('refuses the handshake with the status $connect returns, and keeps nothing', async () => {
    await expect(openSocket(`${stack.wsUrl}?deny=1`)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses with 500 when $connect throws', async () => {
    await expect(openSocket(`${stack.wsUrl}?crash=1`)).rejects.toMatchObject({ status: 500 });
  });

  it('accepts the stage path as API Gateway URLs carry it, and refuses other paths', async () => {
    const t = tag();
    const connected = nextReport<ConnectEvent>('connect', (e) => e.queryStringParameters?.tag === t);
    const socket = await openSocket(`${stack.wsUrl}/${stack.stage}?tag=${t}`);
    sockets.push(socket);
    await connected;
    await expect(openSocket(`${stack.wsUrl}/other-stage`)).rejects.toMatchObject({ status: 403 });
  });

  it('routes by $request.body.action and posts back through the real @connections client', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(JSON.stringify({ action: 'echo', text: 'hi' }));
    const echo = await socket.next<Echo>();

    expect(echo).toEqual({ routeKey: 'echo', body: '{"action":"echo","text":"hi"}', isBase64Encoded: false });
  });

  it.each([
    ['a frame that is not JSON', 'not json'],
    ['a frame without action', '{"topic":"news"}'],
    ['an action with no route', '{"action":"nope"}'],
    ['an action that is not a string', '{"action":{"x":1}}'],
  ])('sends %s to $default', async (_name, frame) => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(frame);

    await expect(socket.next<Echo>()).resolves.toEqual({ routeKey: '$default', body: frame, isBase64Encoded: false });
  });

  it('passes a binary frame base64-encoded to $default', async () => {
    const socket = await connect(`?tag=${tag()}`);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);

    socket.ws.send(bytes, { binary: true });

    await expect(socket.next<Echo>()).resolves.toEqual({
      routeKey: '$default',
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('sends the handler body back only on a route with a RouteResponse and a route response selection expression', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(JSON.stringify({ action: 'echo' }));
    await socket.next<Echo>((f) => f.routeKey === 'echo');
    socket.ws.send(JSON.stringify({ action: 'replyWithoutExpression', n: 1 }));
    socket.ws.send(JSON.stringify({ action: 'replyWithoutRouteResponse', n: 2 }));
    socket.ws.send(JSON.stringify({ action: 'reply', n: 3 }));
    const reply = await socket.next();
    socket.ws.send(JSON.stringify({ action: 'echo', after: 'replies' }));
    await socket.next<Echo>((f) => f.routeKey === 'echo');

    expect(reply).toEqual({ type: 'reply', received: { action: 'reply', n: 3 } });
    expect(socket.frames).toEqual([]);
  });

  it('answers a throwing handler with the Internal server error frame and stays up', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(JSON.stringify({ action: 'boom' }));
    const error = await socket.next<Record<string, string>>();
    socket.ws.send(JSON.stringify({ action: 'echo' }));

    expect(error).toEqual({
      message: 'Internal server error',
      connectionId: socket.connectionId,
      requestId: expect.any(String),
    });
    expect(JSON.stringify(error)).not.toContain('boom');
    await expect(socket.next<Echo>()).resolves.toMatchObject({ routeKey: 'echo' });
    expect(stack.lines.some((l) => l.includes('boom'))).toBe(true);
  });

  it('answers a handler that outlives its Timeout with the Internal server error frame', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(JSON.stringify({ action: 'slow' }));

    await expect(socket.next(undefined, 3000)).resolves.toMatchObject({ message: 'Internal server error' });
  });

  it('closes with 1009 on a frame over 32 KB and runs $disconnect', async () => {
    const socket = await connect(`?tag=${tag()}`);
    const disconnected = disconnectOf(socket.connectionId);

    socket.ws.send('x'.repeat(33 * 1024));

    await expect(socket.closed).resolves.toMatchObject({ code: 1009 });
    await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1009 } });
  });

  it('accepts a frame of exactly 32 KB', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send('x'.repeat(32 * 1024));

    await expect(socket.next<Echo>()).resolves.toMatchObject({ routeKey: '$default' });
  });

  it('runs $disconnect with the client close code, and deletes the record', async () => {
    const socket = await connect(`?tag=${tag()}`);
    const disconnected = disconnectOf(socket.connectionId);

    socket.ws.close(4001, 'bye');
    const event = await disconnected;

    expect(event.requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4001,
      disconnectReason: 'bye',
    });
    const item = await documents.send(
      new GetCommand({
        TableName: stack.tableName('ConnectionsTable'),
        Key: { pk: `conn#${socket.connectionId}`, sk: 'meta' },
      }),
    );
    expect(item.Item).toBeUndefined();
  });

  it('runs $disconnect when the client drops without a close frame', async () => {
    const socket = await connect(`?tag=${tag()}`);
    const disconnected = disconnectOf(socket.connectionId);

    socket.ws.terminate();

    await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1006 } });
  });

  it('echoes an offered subprotocol that $connect accepts', async () => {
    const socket = await connect(`?tag=${tag()}`, ['fixture.v1', 'other']);

    expect(socket.ws.protocol).toBe('fixture.v1');
  });

  it('fails the handshake when an offered subprotocol is not echoed by $connect', async () => {
    await expect(openSocket(`${stack.wsUrl}?tag=${tag()}`, ['unknown.v9'])).rejects.toThrow(/subprotocol/i);
  });

  it('gives handlers the template environment resolved locally, plus the local endpoints', async () => {
    const socket = await connect(`?tag=${tag()}`);

    socket.ws.send(JSON.stringify({ action: 'env' }));
    const { env, hasSecret } = await socket.next<Echo>();

    expect(env).toEqual({
      TABLE_NAME: 'ConnectionsTable',
      GREETING: 'hello-us-east-1',
      JOINED: 'test/b',
      TABLE_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/ConnectionsTable',
      SECRET_ARN: 'FixtureSecret',
      WORKER_NAME: 'WorkerFunction',
      // The template's own execute-api URL (redirected to the gateway) and the SDK's endpoint variables.
      MANAGEMENT_ENDPOINT: `https://${stack.apiId}.execute-api.us-east-1.amazonaws.com/${stack.stage}`,
      LAMBDA_ENDPOINT: null,
      DYNAMODB_ENDPOINT: null,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: stack.connectionsUrl,
      AWS_ACCESS_KEY_ID: 'AKIASWITCHBOARDLOCAL',
      AWS_REGION: 'us-east-1',
      ECHO_ONLY: 'yes',
      FIXTURE_EXTRA: 'from-options',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    // The token secret is Switchboard's own (scripts/local/switchboard-stack.ts): the stack sets none.
    expect(hasSecret).toBe(false);
  });

  it('logs one line per connection and per route invocation', async () => {
    const socket = await connect(`?tag=${tag()}`);
    socket.ws.send(JSON.stringify({ action: 'reply' }));
    await socket.next();

    expect(stack.lines).toContainEqual(`open ${socket.connectionId}`);
    expect(stack.lines.some((l) => new RegExp(`^reply ${socket.connectionId} 200 \\d+ms$`).test(l))).toBe(true);
  });
});

describe('the local gateway limits', () => {
  let short: LocalStack;
  afterAll(async () => short?.stop());

  it('closes an idle connection with 1001 and runs $disconnect', async () => {
    short = await startFixtureStack({ idleTimeoutMs: 300, quiet: true });
    const t = tag();
    const connected = nextReport<ConnectEvent>('connect', (e) => e.queryStringParameters?.tag === t);
    const socket = await openSocket(`${short.wsUrl}?tag=${t}`);
    sockets.push(socket);
    const { requestContext } = await connected;
    const disconnected = disconnectOf(requestContext.connectionId);

    await expect(socket.closed).resolves.toMatchObject({ code: 1001 });
    await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1001 } });
  });

  it('keeps a connection open past the idle timeout while its client keeps sending, then closes it when it stops', async () => {
    const idle = await startFixtureStack({ idleTimeoutMs: 300, quiet: true });
    try {
      const t = tag();
      const connected = nextReport<ConnectEvent>('connect', (e) => e.queryStringParameters?.tag === t);
      const socket = await openSocket(`${idle.wsUrl}?tag=${t}`);
      sockets.push(socket);
      const { requestContext } = await connected;
      const disconnected = disconnectOf(requestContext.connectionId);
      let closedAt = 0;
      void socket.closed.then(() => (closedAt = Date.now()));

      const chatter = setInterval(() => socket.ws.send('{"action":"nothing"}'), 100);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      clearInterval(chatter);
      const stoppedAt = Date.now();
      const stillOpen = socket.ws.readyState === socket.ws.OPEN;

      expect(stillOpen).toBe(true);
      await expect(socket.closed).resolves.toMatchObject({ code: 1001 });
      expect(closedAt - stoppedAt).toBeGreaterThanOrEqual(150);
      await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1001 } });
    } finally {
      await idle.stop();
    }
  });

  it('closes a busy connection at the maximum duration with 1001, however active it is', async () => {
    const capped = await startFixtureStack({ idleTimeoutMs: 60_000, maxConnectionMs: 400, quiet: true });
    try {
      const t = tag();
      const connected = nextReport<ConnectEvent>('connect', (e) => e.queryStringParameters?.tag === t);
      const socket = await openSocket(`${capped.wsUrl}?tag=${t}`);
      sockets.push(socket);
      const { requestContext } = await connected;
      const disconnected = disconnectOf(requestContext.connectionId);
      const chatter = setInterval(
        () => socket.ws.readyState === socket.ws.OPEN && socket.ws.send('{"action":"nothing"}'),
        50,
      );

      const closed = await socket.closed.finally(() => clearInterval(chatter));

      expect(closed).toMatchObject({ code: 1001 });
      await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1001 } });
    } finally {
      await capped.stop();
    }
  });
});
