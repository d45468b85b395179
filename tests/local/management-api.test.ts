import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LocalStack } from '../../packages/local/src/stack';
import { nextReport } from './fixtures/handlers/probe';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket, type TestSocket } from './support/test-socket';

interface LifecycleEvent {
  queryStringParameters?: Record<string, string> | null;
  requestContext: { connectionId: string; disconnectStatusCode?: number };
}

let stack: LocalStack;
const clients: ApiGatewayManagementApiClient[] = [];
const sockets: TestSocket[] = [];
let counter = 0;

function client(endpoint: string): ApiGatewayManagementApiClient {
  const created = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  clients.push(created);
  return created;
}

async function connect(): Promise<TestSocket & { connectionId: string }> {
  counter += 1;
  const tag = `m${counter}`;
  const connected = nextReport<LifecycleEvent>('connect', (e) => e.queryStringParameters?.tag === tag);
  const socket = await openSocket(`${stack.wsUrl}?tag=${tag}`, undefined, {
    headers: { 'User-Agent': 'switchboard-test' },
  });
  sockets.push(socket);
  return Object.assign(socket, { connectionId: (await connected).requestContext.connectionId });
}

beforeAll(async () => {
  stack = await startFixtureStack({ quiet: true });
});

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  for (const c of clients) c.destroy();
  await stack.stop();
});

describe.each([
  ['the root endpoint', () => stack.connectionsUrl],
  ['the stage endpoint', () => `${stack.connectionsUrl}/${stack.stage}`],
])('the @connections API at %s, through the real SDK client', (_name, endpoint) => {
  it('posts a frame to an open connection as text', async () => {
    const socket = await connect();

    const output = await client(endpoint()).send(
      new PostToConnectionCommand({
        ConnectionId: socket.connectionId,
        Data: JSON.stringify({ type: 'pushed' }),
      }),
    );

    expect(output.$metadata.httpStatusCode).toBe(200);
    await expect(socket.next()).resolves.toEqual({ type: 'pushed' });
  });

  it('describes a connection with its times and identity', async () => {
    const before = Date.now();
    const socket = await connect();

    const output = await client(endpoint()).send(new GetConnectionCommand({ ConnectionId: socket.connectionId }));

    expect(output.ConnectedAt).toBeInstanceOf(Date);
    expect(output.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(output.LastActiveAt).toBeInstanceOf(Date);
    expect(output.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'switchboard-test' });
  });

  it('deletes a connection: 204, the socket closes and $disconnect runs', async () => {
    const socket = await connect();
    const disconnected = nextReport<LifecycleEvent>(
      'disconnect',
      (e) => e.requestContext.connectionId === socket.connectionId,
    );

    const output = await client(endpoint()).send(new DeleteConnectionCommand({ ConnectionId: socket.connectionId }));

    expect(output.$metadata.httpStatusCode).toBe(204);
    await expect(socket.closed).resolves.toMatchObject({ code: 1000 });
    await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1000 } });
  });

  it.each([
    ['posting to', (id: string) => new PostToConnectionCommand({ ConnectionId: id, Data: 'x' })],
    ['describing', (id: string) => new GetConnectionCommand({ ConnectionId: id })],
    ['deleting', (id: string) => new DeleteConnectionCommand({ ConnectionId: id })],
  ])('throws GoneException (410) %s a closed connection', async (_verb, command) => {
    const socket = await connect();
    const disconnected = nextReport<LifecycleEvent>(
      'disconnect',
      (e) => e.requestContext.connectionId === socket.connectionId,
    );
    socket.ws.close();
    await disconnected;

    const error = await client(endpoint())
      .send(command(socket.connectionId) as PostToConnectionCommand)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GoneException);
    expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
  });
});

describe('the @connections API', () => {
  it('is forbidden under another stage', async () => {
    const response = await fetch(`${stack.connectionsUrl}/elsewhere/@connections/abc=`, { method: 'GET' });

    expect(response.status).toBe(403);
  });

  it('adds the configured latency to each call', async () => {
    const slow = await startFixtureStack({ quiet: true, connectionsLatencyMs: 150 });
    try {
      const started = Date.now();
      const response = await fetch(`${slow.connectionsUrl}/@connections/unknown=`, { method: 'GET' });

      expect(response.status).toBe(410);
      expect(response.headers.get('x-amzn-errortype')).toBe('GoneException');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.stop();
    }
  });
});
