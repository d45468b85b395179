import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'expect';
import type { StackModel } from '../../packages/local/src/stack-model';
import type { E2eStack } from '../../tests/e2e/support/e2e-stack';
import { VerifyDeployError } from './verify-deploy-error';

/**
 * The sample events (`events/*.json`, as API Gateway sends them, what `sam local invoke -e` takes), the
 * function each goes to, and what each must do: replies read on a live socket, items in DynamoDB. One
 * source for tests/handlers/events.test.ts (functions run from source in the local stack) and for
 * `npm run verify:deploy` (the bundles `sam build` makes, each in a Node process of its own).
 */

type Event = {
  routeKey?: string;
  requestContext?: {
    routeKey?: string;
    connectionId?: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
    timeEpoch?: number;
  };
};

/** Runs a function (by logical id) on an event and returns what the handler returned. */
export type InvokeFunction = (functionId: string, event: unknown, eventFile: string) => Promise<unknown>;

export interface SampleEventContext {
  model: StackModel;
  eventsDir: string;
  invoke: InvokeFunction;
  /** The local stack with the template's table, and real WebSocket clients on it. */
  e2e: E2eStack;
}

/** A copy of an event file, its times moved to now (records written from it must not be expired). */
export function loadEvent(eventsDir: string, name: string): Event {
  const event = loadJson<Event>(eventsDir, name);
  const now = Date.now();
  for (const key of ['connectedAt', 'requestTimeEpoch', 'timeEpoch'] as const) {
    if (event.requestContext?.[key] !== undefined) event.requestContext[key] = now;
  }
  return event;
}

function loadJson<T>(eventsDir: string, name: string): T {
  return JSON.parse(readFileSync(join(eventsDir, name), 'utf8')) as T;
}

const routeKeyOf = (event: Event): string | undefined => event.routeKey ?? event.requestContext?.routeKey;

/**
 * The function an event goes to: by its route (a WebSocket route, falling back to `$default` as API
 * Gateway does, or an HTTP API `METHOD /path`); an event without a `requestContext` is a direct invocation
 * of the function whose Handler file has the event file's name (`feed-worker.json`: `feed-worker.handler`).
 */
export function functionFor(model: StackModel, eventFile: string, event: Event): string {
  const routeKey = routeKeyOf(event);
  // A Lambda authorizer's event (`authorizer-request.json`) goes to the function whose Handler file starts its name.
  const authorizer = 'methodArn' in event && typeof event.methodArn === 'string';
  if (authorizer || (routeKey === undefined && event.requestContext === undefined)) {
    const name = authorizer ? basename(eventFile, '.json').split('-')[0] : basename(eventFile, '.json');
    const fn = [...model.functions.values()].find(
      (candidate) => basename(candidate.entryFile).replace(/\.[cm]?[jt]s$/, '') === name,
    );
    if (!fn) throw new VerifyDeployError(eventFile, 'route', `no route, and no function whose Handler file is ${name}`);
    return fn.logicalId;
  }
  const key = routeKey ?? '';
  const ws = model.webSocketApi;
  const wsRoute = ws?.routes.get(key) ?? (key.includes(' ') ? undefined : ws?.routes.get('$default'));
  const httpRoute = model.httpRoutes.find((route) => `${route.method} ${route.path}` === key);
  const functionId = wsRoute?.functionId ?? httpRoute?.functionId;
  if (!functionId)
    throw new VerifyDeployError(eventFile, 'route', `route ${key || '(none)'} has no function in the template`);
  return functionId;
}

/** Every event file, each with its function; fails on the first event whose route has no function. */
export function eventFunctions(model: StackModel, eventsDir: string): Map<string, string> {
  const routed = new Map<string, string>();
  for (const name of readdirSync(eventsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()) {
    routed.set(name, functionFor(model, name, loadEvent(eventsDir, name)));
  }
  return routed;
}

/** Routes of the template (WebSocket and HTTP) that no event file exercises. */
export function uncoveredRoutes(model: StackModel, eventsDir: string): string[] {
  const covered = new Set(
    readdirSync(eventsDir)
      .filter((file) => file.endsWith('.json'))
      .map((name) => routeKeyOf(loadEvent(eventsDir, name))),
  );
  const routes = [
    ...(model.webSocketApi?.routes.keys() ?? []),
    ...model.httpRoutes.map((route) => `${route.method} ${route.path}`),
  ];
  return routes.filter((key) => !covered.has(key));
}

const CONNECTION = 'Gg3GqdpYIAMCJOg=';

type Reply = { statusCode: number; body?: string };

/** What every sample event must do, in the order they make sense (a connection's life, then the rest). */
export const SAMPLE_EVENT_CHECKS: { title: string; run(context: SampleEventContext): Promise<void> }[] = [
  {
    title: 'runs a whole connection life from the sample events, with the replies and the effects in DynamoDB',
    async run({ model, eventsDir, invoke, e2e }) {
      const on = async (name: string, connectionId?: string): Promise<Reply> => {
        const event = loadEvent(eventsDir, name);
        if (connectionId && event.requestContext) event.requestContext.connectionId = connectionId;
        return (await invoke(functionFor(model, name, event), event, name)) as Reply;
      };

      expect(await on('connect-bad-name.json')).toMatchObject({ statusCode: 400 });
      expect(await e2e.partition(`CONN#${CONNECTION}`)).toEqual([]);

      // The events' connection id is swapped for a live socket's, so that every reply can be read.
      const client = await e2e.connect();
      const live = String((await client.session()).connectionId);
      const reply = async (name: string, type: string) => {
        const from = client.frames.length;
        expect(await on(name, live)).toMatchObject({ statusCode: 200 });
        return client.next((frame) => frame.type === type, 5000, from);
      };

      expect(await on('connect.json', live)).toMatchObject({ statusCode: 200 });
      const [meta] = (await e2e.partition(`CONN#${live}`)).filter((item) => item.sk === 'META');
      expect(meta).toMatchObject({ name: 'Ada', sourceIp: '203.0.113.7' });
      expect((await e2e.partition('SUBS#topic:news')).map((item) => item.connectionId)).toEqual([live]);

      expect(await reply('hello.json', 'session')).toMatchObject({ userId: meta?.userId, connectionId: live });
      expect(await reply('ping.json', 'pong')).toMatchObject({ type: 'pong' });
      expect(await reply('subscribe.json', 'subscribed')).toMatchObject({ topic: 'news' });
      expect(await reply('publish.json', 'ack')).toMatchObject({ id: 'm-1', seq: 1 });
      expect(await client.next((frame) => frame.type === 'message' && frame.seq === 1)).toMatchObject({
        topic: 'news',
        message: { text: 'hi' },
      });
      expect(await reply('default-publish.json', 'message')).toMatchObject({
        topic: 'news',
        seq: 2,
        message: 'seed style',
      });
      expect(await reply('default-invalid-json.json', 'error')).toMatchObject({ code: 'invalid_json' });
      expect(await reply('sendmessage.json', 'chat')).toMatchObject({
        id: 'c-1',
        message: 'Hello, everyone!',
        from: { name: 'Ada' },
      });
      const sentFrom = client.frames.length;
      expect(await on('send.json', live)).toMatchObject({ statusCode: 200 });
      expect(client.frames.slice(sentFrom).filter((frame) => frame.type === 'chat')).toEqual([]);
      expect((await reply('history.json', 'history')).messages).toEqual([
        expect.objectContaining({ id: 'c-1' }),
        expect.objectContaining({ id: 'c-2' }),
      ]);
      expect(await reply('who.json', 'who')).toMatchObject({
        users: expect.arrayContaining([expect.objectContaining({ userId: meta?.userId })]),
      });
      expect(await reply('join.json', 'joined')).toEqual({ type: 'joined', room: 'kitchen', name: 'Ada (kitchen)' });
      expect(await e2e.partition('SUBS#room:kitchen')).toEqual([
        expect.objectContaining({ connectionId: live, name: 'Ada (kitchen)' }),
      ]);
      expect(await reply('leave.json', 'left')).toEqual({ type: 'left', room: 'kitchen' });
      expect(await e2e.partition('SUBS#room:kitchen')).toEqual([]);
      expect((await e2e.partition('MSG#topic:news')).map((item) => item.seq)).toEqual([1, 2]);
      expect((await e2e.partition('MSG#chat')).map((item) => item.id)).toEqual(['c-1', 'c-2']);

      expect(await reply('unsubscribe.json', 'unsubscribed')).toMatchObject({ topic: 'news' });
      expect(await e2e.partition('SUBS#topic:news')).toEqual([]);

      const readFrom = client.frames.length;
      expect(await on('teleread.json', live)).toMatchObject({ statusCode: 200 });
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

      expect(await on('disconnect.json', live)).toMatchObject({ statusCode: 200 });
      expect(await e2e.partition(`CONN#${live}`)).toEqual([]);
    },
  },
  {
    title: "runs the feed worker from its sample event while the event's lease holds the feed, and not otherwise",
    async run({ model, eventsDir, invoke, e2e }) {
      const client = await e2e.connect();
      const session = await client.session();
      const job = { userId: String(session.userId), connectionId: String(session.connectionId) };
      const worker = functionFor(model, 'feed-worker.json', loadJson<Event>(eventsDir, 'feed-worker.json'));
      const event = { ...loadJson<Record<string, unknown>>(eventsDir, 'feed-worker.json'), ...job };

      expect(await invoke(worker, event, 'feed-worker.json')).toEqual({ outcome: 'stopped' });
      expect(client.ofType('feed')).toEqual([]);

      const user = (await e2e.partition(`USER#${job.userId}`)).find((item) => item.sk === 'PROFILE');
      const { leaseId } = loadJson<{ leaseId: string }>(eventsDir, 'feed-worker.json');
      await e2e.put({ ...user, feedLease: leaseId });
      expect(await invoke(worker, event, 'feed-worker.json')).toEqual({ outcome: 'finished' });
      const text = client
        .ofType('feed')
        .map((frame) => String(frame.text))
        .join('');
      expect(text.length).toBe(client.ofType('feed').at(-1)?.total);
      expect(client.ofType('feed-end')).toHaveLength(1);
    },
  },
  {
    title: 'runs the presence worker from its sample event: the join is announced to the room, a bad record dropped',
    async run({ model, eventsDir, invoke, e2e }) {
      const client = await e2e.connect();
      await client.session();
      const event = loadJson<{ Records: Array<{ body: string }> }>(eventsDir, 'presence-worker.json');
      const { userId } = JSON.parse(event.Records[0]?.body ?? '{}') as { userId: string };
      // The sample's user has a connection in the default room, as $connect writes it (no socket behind it).
      const connectionId = 'sample-presence-connection';
      const connectedAt = new Date().toISOString();
      const expiresAt = Math.floor(Date.now() / 1000) + 3600;
      const attributes = { connectionId, userId, name: 'Ada', connectedAt, expiresAt };
      await e2e.put({ pk: `USER#${userId}`, sk: `CONN#${connectionId}`, ...attributes, resumed: false });
      await e2e.put({ pk: 'SUBS#chat', sk: `CONN#${connectionId}`, ...attributes });
      const from = client.frames.length;

      const worker = functionFor(model, 'presence-worker.json', {});
      expect(await invoke(worker, event, 'presence-worker.json')).toEqual({ batchItemFailures: [] });

      const joinedIt = (frame: Record<string, unknown>) =>
        frame.type === 'presence' &&
        Array.isArray(frame.joined) &&
        frame.joined.some((user: { userId?: unknown }) => user.userId === userId);
      expect(await client.next(joinedIt, 5000, from)).toMatchObject({
        room: 'lobby',
        joined: [{ userId, name: 'Ada' }],
      });
      expect(await e2e.partition('PRESENCE#lobby')).toEqual(
        expect.arrayContaining([expect.objectContaining({ sk: `USER#${userId}`, name: 'Ada' })]),
      );
      await e2e.remove({ pk: 'SUBS#chat', sk: `CONN#${connectionId}` });
    },
  },
  {
    title: 'runs the sign-in expiry worker from its sample event: token_expired, then the server closes the connection',
    async run({ model, eventsDir, invoke, e2e }) {
      const client = await e2e.connect();
      const live = String((await client.session()).connectionId);
      const event = loadJson<{ Records: Array<{ body: string }> }>(eventsDir, 'sign-in-expiry-worker.json');
      const { expiresAt } = JSON.parse(event.Records[0]?.body ?? '{}') as { expiresAt: string };
      // The live connection, as if it had signed in with a token that has expired (AuthMode=jwt).
      const [meta] = (await e2e.partition(`CONN#${live}`)).filter((item) => item.sk === 'META');
      await e2e.put({ ...meta, signedIn: { method: 'jwt', expiresAt } });
      if (event.Records[0]) event.Records[0].body = JSON.stringify({ connectionId: live, expiresAt });

      const worker = functionFor(model, 'sign-in-expiry-worker.json', {});
      expect(await invoke(worker, event, 'sign-in-expiry-worker.json')).toEqual({ batchItemFailures: [] });

      expect(await client.next((frame) => frame.type === 'error', 5000)).toMatchObject({ code: 'token_expired' });
      await client.closed(5000);
    },
  },
  {
    title: 'serves the HTTP API sample events',
    async run({ model, eventsDir, invoke }) {
      const on = async (name: string): Promise<Reply> => {
        const event = loadEvent(eventsDir, name);
        return (await invoke(functionFor(model, name, event), event, name)) as Reply;
      };
      const posted = await on('http-post-topic-message.json');
      const read = await on('http-get-topic-messages.json');
      const direct = await on('http-post-user-message.json');
      const sessions = await on('http-get-user-sessions.json');

      expect(posted.statusCode).toBe(202);
      expect(JSON.parse(String(posted.body))).toMatchObject({ id: 'b-1', seq: expect.any(Number) });
      expect(read.statusCode).toBe(200);
      expect(JSON.parse(String(read.body)).messages).toEqual(
        expect.arrayContaining([expect.objectContaining({ message: { text: 'from the back end' } })]),
      );
      expect(direct).toMatchObject({ statusCode: 202, body: JSON.stringify({ delivered: 0 }) });
      expect(sessions).toMatchObject({ statusCode: 200, body: JSON.stringify({ sessions: [] }) });
    },
  },
];
