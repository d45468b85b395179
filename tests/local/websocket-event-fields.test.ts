import type { LocalStack } from '../../packages/local/src/stack';
import type { WebSocketEvent } from '../../packages/local/src/websocket-events';
import { nextReport } from './fixtures/handlers/probe';
import { eventShape } from './support/event-shape';
import { startFixtureStack } from './support/fixture-stack';
import { loadEvent } from './support/load-event';
import { openSocket } from './support/test-socket';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startFixtureStack({ quiet: true });
});

afterAll(async () => {
  await stack.stop();
});

describe('the event fields a handler receives through the local gateway, from a real client', () => {
  let connect: WebSocketEvent;
  let messages: WebSocketEvent[];
  let disconnect: WebSocketEvent;
  let before: number;
  let after: number;

  beforeAll(async () => {
    before = Date.now();
    const connected = nextReport<WebSocketEvent>('connect', (e) => e.queryStringParameters?.tag === 'fields');
    const socket = await openSocket(`${stack.wsUrl}/${stack.stage}?tag=fields`);
    connect = await connected;
    const { connectionId } = connect.requestContext;
    const ofThisConnection = (e: WebSocketEvent): boolean => e.requestContext.connectionId === connectionId;
    const first = nextReport<WebSocketEvent>(
      'message',
      (e) => ofThisConnection(e) && e.body === '{"action":"echo","n":1}',
    );
    const second = nextReport<WebSocketEvent>(
      'message',
      (e) => ofThisConnection(e) && e.body === '{"action":"echo","n":2}',
    );
    socket.ws.send('{"action":"echo","n":1}');
    socket.ws.send('{"action":"echo","n":2}');
    messages = await Promise.all([first, second]);
    const disconnected = nextReport<WebSocketEvent>('disconnect', ofThisConnection);
    socket.ws.close(4000, 'done');
    disconnect = await disconnected;
    after = Date.now();
  });

  const all = (): WebSocketEvent[] => [connect, ...messages, disconnect];

  it("names the stack's API and the template's stage", () => {
    for (const event of all()) {
      expect(event.requestContext.apiId).toBe(stack.apiId);
      expect(event.requestContext.stage).toBe('test');
    }
    expect(stack.apiId).toMatch(/^[a-z0-9]{10}$/);
  });

  it('names the local gateway as the domain', () => {
    const { host } = new URL(stack.wsUrl);

    for (const event of all()) expect(event.requestContext.domainName).toBe(host);
  });

  it('gives each message a messageId of its own, and none to $connect and $disconnect', () => {
    const ids = messages.map((e) => e.requestContext.messageId);

    expect(ids).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{15}=$/), expect.stringMatching(/^[A-Za-z0-9_-]{15}=$/)]);
    expect(new Set(ids).size).toBe(2);
    expect(connect.requestContext).not.toHaveProperty('messageId');
    expect(disconnect.requestContext).not.toHaveProperty('messageId');
  });

  it('gives the event type and route of each event', () => {
    expect(all().map((e) => [e.requestContext.eventType, e.requestContext.routeKey])).toEqual([
      ['CONNECT', '$connect'],
      ['MESSAGE', 'echo'],
      ['MESSAGE', 'echo'],
      ['DISCONNECT', '$disconnect'],
    ]);
  });

  it('stamps each request with its own time, and every event with the time the connection opened', () => {
    const times = all().map((e) => e.requestContext.requestTimeEpoch);

    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const time of times) expect(time).toBeGreaterThanOrEqual(before);
    for (const time of times) expect(time).toBeLessThanOrEqual(after);
    for (const event of all()) expect(event.requestContext.connectedAt).toBe(connect.requestContext.connectedAt);
    expect(connect.requestContext.connectedAt).toBeGreaterThanOrEqual(before);
    expect(connect.requestContext.connectedAt).toBeLessThanOrEqual(connect.requestContext.requestTimeEpoch);
  });

  it("identifies the client by its source IP, in the same connection's every event", () => {
    for (const event of all()) {
      expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
      expect(event.requestContext.connectionId).toBe(connect.requestContext.connectionId);
    }
  });

  it('gives $disconnect the close code and reason the client sent', () => {
    expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 4000, disconnectReason: 'done' });
  });

  it('has the keys of the sample events API Gateway sent', () => {
    expect(eventShape(connect)).toEqual(eventShape(loadEvent('connect')));
    expect(eventShape(messages[0])).toEqual(eventShape(loadEvent('hello')));
    expect(eventShape(disconnect)).toEqual(eventShape(loadEvent('disconnect')));
  });

  it('keeps the apiId when the stack restarts on the same template', async () => {
    const again = await startFixtureStack({ quiet: true });
    await again.stop();

    expect(again.apiId).toBe(stack.apiId);
  });
});
