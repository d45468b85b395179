import { connect as connectTcp } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LocalStack } from '../../packages/local/src/stack';
import { nextReport, probe } from './fixtures/handlers/probe';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket, type TestSocket } from './support/test-socket';

interface ConnectEvent {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  requestContext: { connectionId: string };
}

interface DisconnectEvent {
  requestContext: { connectionId: string; disconnectStatusCode: number };
}

/** Names that a plain object already has (or treats specially), so a lookup on `{}` finds something. */
const OBJECT_NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];

let stack: LocalStack & { lines: string[] };
const sockets: TestSocket[] = [];
let counter = 0;
const tag = (): string => {
  counter += 1;
  return `edge${counter}`;
};
const connectOf = (t: string) => nextReport<ConnectEvent>('connect', (e) => e.queryStringParameters?.tag === t);
const ownValue = (object: object | null, key: string): unknown =>
  object !== null && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;

/** Sends `request` on a raw TCP socket and resolves with the first response line, or 'no answer'. */
function rawRequest(port: number, request: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = connectTcp(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n')));
      }
    });
    socket.on('error', () => undefined);
  });
}

beforeAll(async () => {
  stack = await startFixtureStack({ quiet: true });
});

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  await stack.stop();
});

describe('handshakes API Gateway accepts', () => {
  it('passes query parameters named like Object properties to $connect as plain values', async () => {
    const t = tag();
    const connected = connectOf(t);
    const query = OBJECT_NAMES.map((name, i) => `${name}=v${i}`).join('&');

    sockets.push(await openSocket(`${stack.wsUrl}?${query}&${query}&tag=${t}`));
    const event = await connected;

    for (const [i, name] of OBJECT_NAMES.entries()) {
      expect(ownValue(event.queryStringParameters, name)).toBe(`v${i}`);
      expect(ownValue(event.multiValueQueryStringParameters, name)).toEqual([`v${i}`, `v${i}`]);
    }
  });

  it('passes headers named like Object properties to $connect as plain values', async () => {
    const t = tag();
    const connected = connectOf(t);
    const headers = Object.fromEntries(OBJECT_NAMES.map((name, i) => [name, `h${i}`]));

    sockets.push(await openSocket(`${stack.wsUrl}?tag=${t}`, undefined, { headers }));
    const event = await connected;

    for (const [i, name] of OBJECT_NAMES.entries()) {
      expect(ownValue(event.headers, name)).toBe(`h${i}`);
      expect(ownValue(event.multiValueHeaders, name)).toEqual([`h${i}`]);
    }
  });

  it('opens ws://host// as the root, with no unhandled rejection and no hung socket', async () => {
    const t = tag();
    const connected = connectOf(t);

    sockets.push(await openSocket(`${stack.wsUrl}//?tag=${t}`));

    await expect(connected).resolves.toMatchObject({ queryStringParameters: { tag: t } });
    expect(stack.lines.filter((line) => /Invalid URL|Unhandled|failed/.test(line))).toEqual([]);
  });

  it('answers a request target that is no URL at all with a status line, never silence', async () => {
    const port = Number(new URL(stack.wsUrl).port);
    const status = await rawRequest(
      port,
      'GET // HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );

    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
  });
});

describe('an upgrade ws cannot complete after $connect accepted it', () => {
  it('answers 400 and runs $disconnect for the connection $connect accepted', async () => {
    const t = tag();
    const connected = connectOf(t);
    const port = Number(new URL(stack.wsUrl).port);
    const disconnects: DisconnectEvent[] = [];
    const collect = (event: DisconnectEvent): void => void disconnects.push(event);
    probe.on('disconnect', collect);

    const status = await rawRequest(
      port,
      `GET /?tag=${t} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n',
    );
    const { requestContext } = await connected;
    const ours = (): DisconnectEvent[] =>
      disconnects.filter((e) => e.requestContext.connectionId === requestContext.connectionId);
    for (let waited = 0; ours().length === 0 && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    probe.off('disconnect', collect);

    expect(status).toBe('HTTP/1.1 400 Bad Request');
    expect(ours().map((e) => e.requestContext.disconnectStatusCode)).toEqual([1006]);
  });
});

describe('plain requests to the gateway port', () => {
  it('answers targets that no URL parser takes, and malformed ids, with a status instead of failing', async () => {
    const port = Number(new URL(stack.wsUrl).port);

    const root = await rawRequest(port, 'GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const connection = await rawRequest(port, 'GET /@connections/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const invoke = await rawRequest(
      port,
      'POST /2015-03-31/functions/%ZZ/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );

    expect([root, connection, invoke]).toEqual([
      'HTTP/1.1 426 Upgrade Required',
      'HTTP/1.1 400 Bad Request',
      'HTTP/1.1 400 Bad Request',
    ]);
  });
});

describe('HTTP API requests with awkward names', () => {
  it('answers a malformed percent-encoding in a path parameter with 400, without invoking the handler', async () => {
    const invoked = nextReport<APIGatewayProxyEventV2>('http', (e) => e.rawPath.includes('%ZZ'), 1000).then(
      () => true,
      () => false,
    );

    const response = await fetch(`${stack.httpUrl}/things/%ZZ`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Bad Request' });
    expect(await invoked).toBe(false);
  });

  it('passes query parameters and headers named like Object properties as plain values', async () => {
    const seen = nextReport<APIGatewayProxyEventV2>('http', (e) => e.rawPath === '/things/awkward');
    const query = OBJECT_NAMES.map((name, i) => `${name}=q${i}`).join('&');

    const headerLines = OBJECT_NAMES.map((name, i) => `${name}: h${i}\r\n`).join('');
    const status = await rawRequest(
      Number(new URL(stack.httpUrl).port),
      `GET /things/awkward?${query} HTTP/1.1\r\nHost: x\r\n${headerLines}Connection: close\r\n\r\n`,
    );
    const event = await seen;

    expect(status).toMatch(/^HTTP\/1.1 2/);

    for (const [i, name] of OBJECT_NAMES.entries()) {
      expect(ownValue(event.queryStringParameters ?? null, name)).toBe(`q${i}`);
      expect(ownValue(event.headers, name.toLowerCase())).toBe(`h${i}`);
    }
  });
});
