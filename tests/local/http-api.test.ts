import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LocalStack } from '../../packages/local/src/stack';
import { nextReport } from './fixtures/handlers/probe';
import { eventShape } from './support/event-shape';
import { startFixtureStack } from './support/fixture-stack';
import { loadEvent } from './support/load-event';

let stack: LocalStack;
const httpEvent = (matches: (e: APIGatewayProxyEventV2) => boolean) =>
  nextReport<APIGatewayProxyEventV2>('http', matches);

beforeAll(async () => {
  stack = await startFixtureStack({ quiet: true });
});

afterAll(async () => stack.stop());

describe('the local HTTP API', () => {
  it('builds a payload 2.0 event with the keys of events/http-post-topic-message.json', async () => {
    const seen = httpEvent((e) => e.rawPath === '/things/t-1');

    const response = await fetch(`${stack.httpUrl}/things/t-1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'Yes' },
      body: '{"message":"hi"}',
    });
    const event = await seen;

    expect(response.status).toBe(201);
    expect(eventShape(event)).toEqual(eventShape(loadEvent('http-post-topic-message')));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /things/{id}',
      rawQueryString: '',
      pathParameters: { id: 't-1' },
      body: '{"message":"hi"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/things/t-1', protocol: 'HTTP/1.1' }, stage: '$default' },
    });
    expect(event.headers['x-custom']).toBe('Yes');
  });

  it('builds GET events with the query, with the keys of events/http-get-topic-messages.json', async () => {
    const seen = httpEvent((e) => e.rawPath === '/things/t-2');

    const response = await fetch(`${stack.httpUrl}/things/t-2?since=0&limit=50`);
    const event = await seen;

    expect(eventShape(event)).toEqual(eventShape(loadEvent('http-get-topic-messages')));
    expect(event.queryStringParameters).toEqual({ since: '0', limit: '50' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).resolves.toEqual({ id: 't-2', query: { since: '0', limit: '50' } });
  });

  it('maps a full handler response: status, headers, cookies and body', async () => {
    const response = await fetch(`${stack.httpUrl}/things/t-3`, { method: 'POST', body: 'plain text' });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-thing')).toBe('created');
    expect(response.headers.get('set-cookie')).toBe('thing=1; Path=/');
    await expect(response.json()).resolves.toEqual({ id: 't-3', received: 'plain text', base64: false });
  });

  it('passes a binary body base64-encoded', async () => {
    const bytes = Buffer.from([0, 159, 146, 150]);

    const response = await fetch(`${stack.httpUrl}/things/t-4`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });

    await expect(response.json()).resolves.toEqual({ id: 't-4', received: bytes.toString('base64'), base64: true });
  });

  it('matches greedy paths and ANY', async () => {
    const seen = httpEvent((e) => e.rawPath === '/open/a/b');

    await fetch(`${stack.httpUrl}/open/a/b`, { method: 'PUT', body: 'x' });

    await expect(seen).resolves.toMatchObject({ routeKey: 'ANY /open/{proxy+}', pathParameters: { proxy: 'a/b' } });
  });

  it('answers 404 Not Found for a request without a route', async () => {
    const response = await fetch(`${stack.httpUrl}/nothing/here`);

    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toEqual({ message: 'Not Found' });
  });
});
