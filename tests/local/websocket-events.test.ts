import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWebSocketEventBuilder } from '../../packages/local/src/websocket-events';
import { eventShape } from './support/event-shape';
import { loadEvent } from './support/load-event';

const api = { apiId: 'a1b2c3d4e5', stage: 'prod', domainName: 'localhost:3001' };
const connection = {
  connectionId: 'Gg3GqdpYIAMCJOg=',
  connectedAt: Date.now(),
  sourceIp: '127.0.0.1',
  userAgent: 'test',
};
const handshake = {
  rawHeaders: [
    'Host',
    'localhost:3001',
    'Sec-WebSocket-Key',
    'abc',
    'Sec-WebSocket-Version',
    '13',
    'User-Agent',
    'test',
  ],
  query: 'topicName=news&name=Ada',
};
const events = createWebSocketEventBuilder(api);

describe('the gateway event builder', () => {
  it('builds $connect events with the keys of events/connect.json', () => {
    expect(eventShape(events.connect(handshake, connection))).toEqual(eventShape(loadEvent('connect')));
  });

  it('builds an IAM-authorised $connect with the keys of events/connect-iam.json', () => {
    const caller = { accessKeyId: 'AKIASWITCHBOARDLOCAL', accountId: '123456789012' };

    expect(eventShape(events.connect(handshake, connection, caller))).toEqual(eventShape(loadEvent('connect-iam')));
  });

  it('builds message events with the keys of events/hello.json', () => {
    expect(eventShape(events.message(connection, 'hello', Buffer.from('{"action":"hello"}'), false))).toEqual(
      eventShape(loadEvent('hello')),
    );
  });

  it('builds $disconnect events with the keys of events/disconnect.json', () => {
    expect(eventShape(events.disconnect(connection, 1001, 'Going away'))).toEqual(eventShape(loadEvent('disconnect')));
  });

  it('passes the query string in both forms, and null when there is none', () => {
    const withQuery = events.connect({ ...handshake, query: 'name=Ada&tag=a&tag=b' }, connection);
    const without = events.connect({ ...handshake, query: '' }, connection);

    expect(withQuery.queryStringParameters).toEqual({ name: 'Ada', tag: 'b' });
    expect(withQuery.multiValueQueryStringParameters).toEqual({ name: ['Ada'], tag: ['a', 'b'] });
    expect(without.queryStringParameters).toBeNull();
  });

  it('names the local gateway as the domain and keeps the handshake headers', () => {
    const event = events.connect(handshake, connection);

    expect(event.headers).toMatchObject({
      Host: 'localhost:3001',
      'Sec-WebSocket-Key': 'abc',
      'X-Forwarded-For': '127.0.0.1',
    });
    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'prod',
      apiId: 'a1b2c3d4e5',
      domainName: 'localhost:3001',
      connectionId: connection.connectionId,
    });
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });
});

describe('the sample events', () => {
  const files = readdirSync(join(__dirname, '..', '..', 'events')).filter((f) => f.endsWith('.json'));
  // Only what the WebSocket API sends: not the HTTP API's events, nor the workers' jobs (a direct invoke, SQS records).
  const workers = new Set([
    'feed-worker.json',
    'fan-out-worker.json',
    'presence-worker.json',
    'sign-in-expiry-worker.json',
  ]);
  const ws = files.filter((f) => !f.startsWith('http-') && !workers.has(f)).map((f) => f.replace(/\.json$/, ''));

  it.each(ws)('%s describes the same connection as the others', (name) => {
    const event = loadEvent<{ requestContext: Record<string, unknown> }>(name);

    expect(event.requestContext).toMatchObject({
      connectionId: 'Gg3GqdpYIAMCJOg=',
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    });
  });

  it('covers every route of the project template', () => {
    const routeKeys = new Set(
      ws.map((name) => loadEvent<{ requestContext: { routeKey: string } }>(name).requestContext.routeKey),
    );

    expect([...routeKeys].sort()).toEqual(
      expect.arrayContaining([
        '$connect',
        '$default',
        '$disconnect',
        'hello',
        'history',
        'ping',
        'publish',
        'reset',
        'send',
        'sendmessage',
        'subscribe',
        'unsubscribe',
        'who',
      ]),
    );
  });
});
