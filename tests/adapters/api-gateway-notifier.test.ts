import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_IAM_CREDENTIALS } from '../../packages/local/src/sigv4-credentials';
import type { LocalStack } from '../../packages/local/src/stack';
import { ApiGatewayNotifier } from '../../src/adapters/apigateway/api-gateway-notifier';
import { ConnectionsApi } from '../../src/adapters/apigateway/connections-api';
import { DeliveryThrottledError } from '../../src/domain/fan-out/delivery-throttled-error';
import type { ServerFrame } from '../../src/domain/frames';
import { nextReport } from '../local/fixtures/handlers/probe';
import { startFixtureStack } from '../local/support/fixture-stack';
import { openSocket, type TestSocket } from '../local/support/test-socket';

/** A frame as the server sends it. */
const PONG: ServerFrame = { type: 'pong', at: '2026-12-03T00:00:00.000Z' };

const noPause = (): Promise<void> => Promise.resolve();

const notifierFor = (
  endpoint: string,
  credentials: ConstructorParameters<typeof ConnectionsApi>[0]['credentials'] = LOCAL_IAM_CREDENTIALS,
  pauses: number[] = [],
) =>
  new ApiGatewayNotifier(
    new ConnectionsApi({
      endpoint,
      region: 'us-east-1',
      credentials,
      maxSockets: 4,
      pause: async (ms) => {
        pauses.push(ms);
      },
      random: () => 0.5,
    }),
  );

describe('the @connections notifier against the local gateway with SigV4 checks on', () => {
  let stack: LocalStack;
  const sockets: TestSocket[] = [];
  let counter = 0;

  async function connect(): Promise<TestSocket & { connectionId: string }> {
    counter += 1;
    const tag = `n${counter}`;
    const connected = nextReport<{
      requestContext: { connectionId: string };
      queryStringParameters?: { tag?: string };
    }>('connect', (event) => event.queryStringParameters?.tag === tag);
    const socket = await openSocket(`${stack.wsUrl}?tag=${tag}`);
    sockets.push(socket);
    return Object.assign(socket, { connectionId: (await connected).requestContext.connectionId });
  }

  beforeAll(async () => {
    stack = await startFixtureStack({ quiet: true, iam: true });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await stack.stop();
  });

  it.each([
    ['the root endpoint', () => stack.connectionsUrl],
    ['the stage endpoint', () => `${stack.connectionsUrl}/${stack.stage}`],
  ])('signs a post the gateway accepts at %s, and the client receives the frame', async (_name, endpoint) => {
    const socket = await connect();

    const delivery = await notifierFor(endpoint()).send(socket.connectionId, PONG);

    expect(delivery).toBe('sent');
    await expect(socket.next()).resolves.toEqual(PONG);
  });

  it('fails a post signed with the wrong secret, and the client receives nothing', async () => {
    const socket = await connect();
    const wrong = { accessKeyId: LOCAL_IAM_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };

    await expect(notifierFor(stack.connectionsUrl, wrong).send(socket.connectionId, PONG)).rejects.toThrow(
      /answered 403/,
    );
    // The next frame the client gets is the one sent after, signed right.
    const later: ServerFrame = { type: 'pong', at: '2026-12-03T00:00:01.000Z' };
    await expect(notifierFor(stack.connectionsUrl).send(socket.connectionId, later)).resolves.toBe('sent');
    await expect(socket.next()).resolves.toEqual(later);
  });

  it('closes a connection, then reports it gone, and closing it again is no error', async () => {
    const socket = await connect();
    const notifier = notifierFor(stack.connectionsUrl);
    const closed = new Promise<number>((resolve) => socket.ws.once('close', resolve));

    await notifier.close(socket.connectionId);

    await expect(closed).resolves.toBeGreaterThan(0);
    await expect(notifier.send(socket.connectionId, PONG)).resolves.toBe('gone');
    await expect(notifier.close(socket.connectionId)).resolves.toBeUndefined();
  });
});

describe('the @connections notifier when the API fails', () => {
  let server: Server;
  let endpoint: string;
  /** What the server does with each request, in order; once the script runs out, 200. */
  let script: Array<number | 'drop'>;
  let seen: Array<{ method: string; url: string; body: string; authorization: string }>;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          authorization: String(request.headers.authorization ?? ''),
        });
        const next = script.shift() ?? 200;
        if (next === 'drop') request.socket.destroy();
        else response.writeHead(next, { 'content-type': 'application/json' }).end('{"message":"scripted"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev`;
  });
  beforeEach(() => {
    script = [];
    seen = [];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the frame as JSON to the connection path, with its id escaped, signed for execute-api', async () => {
    await notifierFor(endpoint).send('Ab+c/d=', PONG);

    expect(seen).toEqual([
      expect.objectContaining({ method: 'POST', url: '/dev/@connections/Ab%2Bc%2Fd%3D', body: JSON.stringify(PONG) }),
    ]);
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/execute-api\/aws4_request/,
    );
  });

  it('retries a transient fault and a dropped connection, with backoff, as the SDK would', async () => {
    script = [503, 'drop'];
    const pauses: number[] = [];

    const delivery = await notifierFor(endpoint, LOCAL_IAM_CREDENTIALS, pauses).send('c1', PONG);

    expect(delivery).toBe('sent');
    expect(seen).toHaveLength(3);
    expect(pauses).toEqual([100, 200]);
  });

  it('reports a throttle that outlasts the retries as DeliveryThrottledError, after three attempts', async () => {
    script = [429, 429, 429];
    const pauses: number[] = [];

    await expect(notifierFor(endpoint, LOCAL_IAM_CREDENTIALS, pauses).send('c1', PONG)).rejects.toBeInstanceOf(
      DeliveryThrottledError,
    );
    expect(seen).toHaveLength(3);
    // A throttle backs off from 500 ms, as the SDK's standard mode does (full jitter, here at its middle).
    expect(pauses).toEqual([500, 1000]);
  });

  it('stops retrying once its retry budget is spent, and earns it back with answers', async () => {
    const notifier = notifierFor(endpoint);
    // 50 calls that fail three times each spend the budget (2 retries × 5 tokens each, 500 tokens in all).
    script = Array.from({ length: 151 }, () => 503);
    for (let call = 0; call < 50; call += 1) await expect(notifier.close('c1')).rejects.toThrow('answered 503');
    const spent = seen.length;
    await expect(notifier.close('c1')).rejects.toThrow('answered 503');
    script = [];
    await notifier.close('c1');
    await notifier.close('c1');
    await notifier.close('c1');
    await notifier.close('c1');
    await notifier.close('c1');
    script = [503, 503, 503];
    await expect(notifier.close('c1')).rejects.toThrow('answered 503');

    expect(spent).toBe(150);
    // The 51st was tried once; five answers earned one retry back (5 tokens) for the last call.
    expect(seen.length - spent).toBe(1 + 5 + 2);
  });

  it('fails at once, without a request, when it cannot sign', async () => {
    const failing = async () => {
      throw new Error('no credentials');
    };

    await expect(notifierFor(endpoint, failing as never).send('c1', PONG)).rejects.toThrow('no credentials');
    expect(seen).toHaveLength(0);
  });

  it('reports 410 as gone at once, and any other refusal as an error without retrying', async () => {
    script = [410, 403];
    const notifier = notifierFor(endpoint);

    await expect(notifier.send('c1', PONG)).resolves.toBe('gone');
    await expect(notifier.send('c1', PONG)).rejects.toThrow('@connections POST answered 403');
    expect(seen).toHaveLength(2);
  });

  it('gives up on a fault that does not pass, with the status in the error', async () => {
    script = [500, 500, 500, 500];

    await expect(notifierFor(endpoint).close('c1')).rejects.toThrow('@connections DELETE answered 500');
    expect(seen.map((request) => request.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(
      () =>
        new ConnectionsApi({
          endpoint: 'ftp://example.com/dev',
          region: 'us-east-1',
          credentials: LOCAL_IAM_CREDENTIALS,
          maxSockets: 1,
          pause: noPause,
        }),
    ).toThrow(/http\(s\) URL/);
  });
});
