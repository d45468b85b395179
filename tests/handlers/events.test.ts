import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadStackModel } from '../../src/local/load-stack-model';
import { startE2eStack, type E2eStack } from '../e2e/support/e2e-stack';
import { PROJECT_ROOT, TEMPLATE } from '../support/embedded-table';

/**
 * Every events/*.json invoked on the function the template routes it to, through the local Lambda
 * Invoke API, as `sam local invoke -e events/X.json` would, against the embedded DynamoDB.
 */
const EVENTS_DIR = join(PROJECT_ROOT, 'events');
const { model } = loadStackModel({ templatePath: TEMPLATE, projectRoot: PROJECT_ROOT });

type Event = { routeKey?: string; requestContext: { routeKey?: string; connectionId?: string; connectedAt?: number; requestTimeEpoch?: number; timeEpoch?: number } };

/** A fresh copy of an event file, its times moved to now (records written from it must not be expired). */
function loadEvent(name: string): Event {
  const event = JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Event;
  const now = Date.now();
  for (const key of ['connectedAt', 'requestTimeEpoch', 'timeEpoch'] as const) {
    if (event.requestContext[key] !== undefined) event.requestContext[key] = now;
  }
  return event;
}

function functionFor(event: Event): string {
  const routeKey = event.routeKey ?? event.requestContext.routeKey ?? '';
  const wsRoute = model.webSocketApi?.routes.get(routeKey) ?? (routeKey.includes(' ') ? undefined : model.webSocketApi?.routes.get('$default'));
  const httpRoute = model.httpRoutes.find((route) => `${route.method} ${route.path}` === routeKey);
  const functionId = wsRoute?.functionId ?? httpRoute?.functionId;
  if (!functionId) throw new Error(`No function for route ${routeKey}`);
  return functionId;
}

let e2e: E2eStack;
let lambda: LambdaClient;

/** Invokes the function an event file is routed to; `connectionId` replaces the event's own. */
async function invoke(name: string, connectionId?: string): Promise<{ statusCode: number; body?: string }> {
  const event = loadEvent(name);
  if (connectionId) event.requestContext.connectionId = connectionId;
  return invokeWith(functionFor(event), name, event);
}

/** Invokes a function that no route reaches (the feed worker) with an event file, some fields replaced. */
async function invokeFunction(functionId: string, name: string, replace: Record<string, unknown>): Promise<unknown> {
  return invokeWith(functionId, name, { ...loadJson<Record<string, unknown>>(name), ...replace });
}

async function invokeWith<T>(functionId: string, name: string, event: unknown): Promise<T> {
  const { Payload, FunctionError } = await lambda.send(
    new InvokeCommand({ FunctionName: functionId, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const result = JSON.parse(new TextDecoder().decode(Payload)) as T;
  if (FunctionError) throw new Error(`${name} failed: ${JSON.stringify(result)}`);
  return result;
}

function loadJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as T;
}

const CONNECTION = 'Gg3GqdpYIAMCJOg=';

beforeAll(async () => {
  e2e = await startE2eStack({ FEED_CHUNK_SIZE: '250' });
  lambda = new LambdaClient({ endpoint: e2e.stack.connectionsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  lambda.destroy();
  await e2e.stop();
});

describe('events/*.json invoked on their functions', () => {
  it('has an event for every WebSocket route of the template', () => {
    const covered = new Set(readdirSync(EVENTS_DIR).filter((name) => name !== 'feed-worker.json').map((name) => {
      const event = loadEvent(name);
      return event.routeKey ?? event.requestContext.routeKey;
    }));
    const routes = [...(model.webSocketApi?.routes.keys() ?? [])];

    const httpRoutes = model.httpRoutes.map((route) => `${route.method} ${route.path}`);

    expect([...routes, ...httpRoutes].filter((key) => !covered.has(key))).toEqual([]);
  });

  it('runs a whole connection life from the sample events, with the replies and the effects in DynamoDB', async () => {
    expect(await invoke('connect-bad-name.json')).toMatchObject({ statusCode: 400 });
    expect(await e2e.partition(`CONN#${CONNECTION}`)).toEqual([]);

    // The events' connection id is swapped for a live socket's, so that every reply can be read.
    const client = await e2e.connect();
    const live = String((await client.session()).connectionId);
    const on = (name: string) => invoke(name, live);
    const reply = async (name: string, type: string) => {
      const from = client.frames.length;
      expect(await on(name)).toMatchObject({ statusCode: 200 });
      return client.next((frame) => frame.type === type, 5000, from);
    };

    expect(await on('connect.json')).toMatchObject({ statusCode: 200 });
    const [meta] = (await e2e.partition(`CONN#${live}`)).filter((item) => item.sk === 'META');
    expect(meta).toMatchObject({ name: 'Ada', sourceIp: '203.0.113.7' });
    expect((await e2e.partition('SUBS#topic:news')).map((item) => item.connectionId)).toEqual([live]);

    expect(await reply('hello.json', 'session')).toMatchObject({ userId: meta?.userId, connectionId: live });
    expect(await reply('ping.json', 'pong')).toMatchObject({ type: 'pong' });
    expect(await reply('subscribe.json', 'subscribed')).toMatchObject({ topic: 'news' });
    expect(await reply('publish.json', 'ack')).toMatchObject({ id: 'm-1', seq: 1 });
    expect(await client.next((frame) => frame.type === 'message' && frame.seq === 1)).toMatchObject({ topic: 'news', message: { text: 'hi' } });
    expect(await reply('default-publish.json', 'message')).toMatchObject({ topic: 'news', seq: 2, message: 'seed style' });
    expect(await reply('default-invalid-json.json', 'error')).toMatchObject({ code: 'invalid_json' });
    expect(await reply('sendmessage.json', 'chat')).toMatchObject({ id: 'c-1', message: 'Hello, everyone!', from: { name: 'Ada' } });
    const sentFrom = client.frames.length;
    expect(await on('send.json')).toMatchObject({ statusCode: 200 });
    expect(client.frames.slice(sentFrom).filter((frame) => frame.type === 'chat')).toEqual([]);
    expect((await reply('history.json', 'history')).messages).toEqual([
      expect.objectContaining({ id: 'c-1' }),
      expect.objectContaining({ id: 'c-2' }),
    ]);
    expect(await reply('who.json', 'who')).toMatchObject({ users: expect.arrayContaining([expect.objectContaining({ userId: meta?.userId })]) });
    expect((await e2e.partition('MSG#topic:news')).map((item) => item.seq)).toEqual([1, 2]);
    expect((await e2e.partition('MSG#chat')).map((item) => item.id)).toEqual(['c-1', 'c-2']);

    expect(await reply('unsubscribe.json', 'unsubscribed')).toMatchObject({ topic: 'news' });
    expect(await e2e.partition('SUBS#topic:news')).toEqual([]);

    const readFrom = client.frames.length;
    expect(await on('teleread.json')).toMatchObject({ statusCode: 200 });
    await client.next((frame) => frame.type === 'feed-end', 15_000, readFrom);
    const read = client.frames.slice(readFrom).filter((frame) => frame.type === 'feed');
    expect(read.length).toBeGreaterThan(0);
    expect(read.at(-1)?.cursor).toBe(read.at(-1)?.total);
    expect(await reply('teleprinter.json', 'feed-end')).toMatchObject({ cursor: read.at(-1)?.total });
    expect(await reply('stop.json', 'feed-stopped')).toMatchObject({ cursor: read.at(-1)?.total });

    const fresh = await reply('reset.json', 'session');
    expect(fresh).toMatchObject({ resumed: false, cursor: 0 });
    expect(fresh.userId).not.toBe(meta?.userId);
    const afterReset = (await e2e.partition(`CONN#${live}`)).find((item) => item.sk === 'META');
    expect(afterReset?.userId).toBe(fresh.userId);

    expect(await on('disconnect.json')).toMatchObject({ statusCode: 200 });
    expect(await e2e.partition(`CONN#${live}`)).toEqual([]);
  });

  it('runs the feed worker from its sample event while the event\'s lease holds the feed, and not otherwise', async () => {
    const client = await e2e.connect();
    const session = await client.session();
    const job = { userId: String(session.userId), connectionId: String(session.connectionId) };

    expect(await invokeFunction('FeedWorkerFunction', 'feed-worker.json', job)).toEqual({ outcome: 'stopped' });
    expect(client.ofType('feed')).toEqual([]);

    const user = (await e2e.partition(`USER#${job.userId}`)).find((item) => item.sk === 'PROFILE');
    const { leaseId } = loadJson<{ leaseId: string }>('feed-worker.json');
    await e2e.put({ ...user, feedLease: leaseId });
    expect(await invokeFunction('FeedWorkerFunction', 'feed-worker.json', job)).toEqual({ outcome: 'finished' });
    const text = client.ofType('feed').map((frame) => String(frame.text)).join('');
    expect(text.length).toBe(client.ofType('feed').at(-1)?.total);
    expect(client.ofType('feed-end')).toHaveLength(1);
  });

  it('serves the HTTP API sample events', async () => {
    const posted = await invoke('http-post-topic-message.json');
    const read = await invoke('http-get-topic-messages.json');
    const direct = await invoke('http-post-user-message.json');
    const sessions = await invoke('http-get-user-sessions.json');

    expect(posted.statusCode).toBe(202);
    expect(JSON.parse(String(posted.body))).toMatchObject({ id: 'b-1', seq: expect.any(Number) });
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(String(read.body)).messages).toEqual(expect.arrayContaining([expect.objectContaining({ message: { text: 'from the back end' } })]));
    expect(direct).toMatchObject({ statusCode: 202, body: JSON.stringify({ delivered: 0 }) });
    expect(sessions).toMatchObject({ statusCode: 200, body: JSON.stringify({ sessions: [] }) });
  });
});
