import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'expect';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import type { StackModel } from '../../packages/local/src/stack-model';
import { subscriberRange } from '../../src/adapters/dynamodb/subscriber-ranges';
import { type E2eStack, startE2eStack } from '../../tests/e2e/support/e2e-stack';
import { type OidcIssuer, startOidcIssuer } from '../local/oidc-issuer';
import { VerifyDeployError } from './verify-deploy-error';

/**
 * The sample events (`events/*.json`, as API Gateway sends them, what `sam local invoke -e` takes), the
 * function each goes to, and what each must do: replies read on a live socket, items in DynamoDB. One
 * source for tests/handlers/events.test.ts (functions run from source in the local stack) and for
 * `npm run verify:deploy` (the bundles `sam build` makes, each in a Node process of its own).
 *
 * Some functions exist only in one `AuthMode` (the template's `Condition: UseJwtAuth`), so the events are
 * mapped against the template in every mode, and each event runs in the first mode in which its function
 * exists: `authorizer-request.json` and `sign-in-expiry-worker.json` on a stack with `AuthMode=jwt`.
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

/** The template's `AuthMode`s, in the order an event is placed: the first whose stack has its function. */
export const AUTH_MODES = ['anonymous', 'jwt', 'iam'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** The issuer settings of `AuthMode=jwt`, which the template's rule `JwtNeedsIssuerAndAudience` demands. */
export interface JwtSettings {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  nameClaim?: string;
}

/** Stand-ins for mapping events only: no token is verified against them. */
const MAPPING_JWT: JwtSettings = { issuer: 'https://issuer.example.com', audience: 'switchboard-sample-events' };

/** The template parameters of a mode. */
export function modeParameters(mode: AuthMode, jwt: JwtSettings = MAPPING_JWT): Record<string, string> {
  if (mode === 'anonymous') return {};
  if (mode === 'iam') return { AuthMode: 'iam' };
  return {
    AuthMode: 'jwt',
    JwtIssuer: jwt.issuer,
    JwtAudience: jwt.audience,
    ...(jwt.jwksUrl === undefined ? {} : { JwtJwksUrl: jwt.jwksUrl }),
    ...(jwt.nameClaim === undefined ? {} : { JwtNameClaim: jwt.nameClaim }),
  };
}

/** The stack model of each `AuthMode`. */
export type ModeModels = ReadonlyMap<AuthMode, StackModel>;

export function loadModeModels(templatePath: string, projectRoot: string): ModeModels {
  return new Map(
    AUTH_MODES.map((mode) => [
      mode,
      loadStackModel({ templatePath, projectRoot, parameterOverrides: modeParameters(mode) }).model,
    ]),
  );
}

/** Every function that exists in some mode (the union of the modes' stacks). */
export function functionsOfModes(models: ModeModels): Set<string> {
  return new Set([...models.values()].flatMap((model) => [...model.functions.keys()]));
}

/** Runs a function (by logical id) on an event and returns what the handler returned. */
export type InvokeFunction = (functionId: string, event: unknown, eventFile: string) => Promise<unknown>;

export interface SampleEventContext {
  /** The model of the stack the check runs on (its `mode`). */
  model: StackModel;
  eventsDir: string;
  invoke: InvokeFunction;
  /** The local stack with the template's table, and real WebSocket clients on it. */
  e2e: E2eStack;
  /** With `AuthMode=jwt`, the issuer the stack trusts, to sign in with; otherwise null. */
  issuer: OidcIssuer | null;
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

/**
 * An event's function, and the mode it runs in: that of the check that runs it (an `AuthMode=iam` handshake
 * needs an iam stack though anonymous has the function too), else the first in `AUTH_MODES` whose stack has it.
 */
export interface RoutedEvent {
  functionId: string;
  mode: AuthMode;
}

/**
 * Every event file, each with its function and mode. Fails on the first event that no mode routes to a
 * function, or that two modes route to different functions.
 */
export function eventFunctions(models: ModeModels, eventsDir: string): Map<string, RoutedEvent> {
  const routed = new Map<string, RoutedEvent>();
  for (const name of readdirSync(eventsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()) {
    const event = loadEvent(eventsDir, name);
    const found: RoutedEvent[] = [];
    const errors: VerifyDeployError[] = [];
    for (const [mode, model] of models) {
      try {
        found.push({ functionId: functionFor(model, name, event), mode });
      } catch (error) {
        if (!(error instanceof VerifyDeployError)) throw error;
        errors.push(error);
      }
    }
    const [first] = found;
    if (!first) {
      const reason = errors[0]?.message.replace(`${name}: route: `, '') ?? 'no mode to map it in';
      throw new VerifyDeployError(name, 'route', `${reason}, in any AuthMode (${[...models.keys()].join(', ')})`);
    }
    const other = found.find((candidate) => candidate.functionId !== first.functionId);
    if (other)
      throw new VerifyDeployError(
        name,
        'route',
        `goes to ${first.functionId} with AuthMode=${first.mode} but to ${other.functionId} with AuthMode=${other.mode}`,
      );
    const checkMode = SAMPLE_EVENT_CHECKS.find((check) => check.events.includes(name))?.mode;
    routed.set(name, found.find((candidate) => candidate.mode === checkMode) ?? first);
  }
  return routed;
}

/** Functions of the template (in any mode) that no event file reaches. */
export function functionsWithoutEvents(models: ModeModels, routed: Map<string, RoutedEvent>): string[] {
  const reached = new Set([...routed.values()].map((event) => event.functionId));
  return [...functionsOfModes(models)].filter((id) => !reached.has(id));
}

/** Routes of the template (WebSocket and HTTP, in any mode) that no event file exercises. */
export function uncoveredRoutes(models: ModeModels, eventsDir: string): string[] {
  const covered = new Set(
    readdirSync(eventsDir)
      .filter((file) => file.endsWith('.json'))
      .map((name) => routeKeyOf(loadEvent(eventsDir, name))),
  );
  const routes = new Set(
    [...models.values()].flatMap((model) => [
      ...(model.webSocketApi?.routes.keys() ?? []),
      ...model.httpRoutes.map((route) => `${route.method} ${route.path}`),
    ]),
  );
  return [...routes].filter((key) => !covered.has(key));
}

/**
 * `invoke` for the checks of one mode: refuses an event that is not sent to the function its route names,
 * or that belongs to another mode's stack (where its function exists), before it runs.
 */
export function invokeInMode(routed: Map<string, RoutedEvent>, mode: AuthMode, invoke: InvokeFunction): InvokeFunction {
  return async (functionId, event, eventFile) => {
    const expected = routed.get(eventFile);
    if (!expected) throw new VerifyDeployError(eventFile, 'route', 'not an events/*.json file');
    if (expected.functionId !== functionId || expected.mode !== mode)
      throw new VerifyDeployError(
        eventFile,
        'route',
        `goes to ${expected.functionId} with AuthMode=${expected.mode}, not to ${functionId} with AuthMode=${mode}`,
      );
    return invoke(functionId, event, eventFile);
  };
}

/** Event files that no check runs. */
export function eventsWithoutChecks(routed: Map<string, RoutedEvent>): string[] {
  const named = new Set(SAMPLE_EVENT_CHECKS.flatMap((check) => check.events));
  return [...routed.keys()].filter((file) => !named.has(file));
}

/**
 * Runs one check on the stack of its mode: each event it sends must be one it names, go to the function its
 * route names and belong to that mode (`invokeInMode`), and each event it names must have run by its end.
 */
export async function runSampleEventCheck(
  check: SampleEventCheck,
  routed: Map<string, RoutedEvent>,
  context: SampleEventContext,
): Promise<void> {
  const ran = new Set<string>();
  const inMode = invokeInMode(routed, check.mode, context.invoke);
  const invoke: InvokeFunction = (functionId, event, eventFile) => {
    if (!check.events.includes(eventFile))
      throw new VerifyDeployError(eventFile, 'events', `check "${check.title}" sends it but does not name it`);
    ran.add(eventFile);
    return inMode(functionId, event, eventFile);
  };
  await check.run({ ...context, invoke });
  const notRun = check.events.filter((file) => !ran.has(file));
  if (notRun.length)
    throw new VerifyDeployError(notRun.join(', '), 'events', `check "${check.title}" names it but did not run it`);
}

/** A local stack for the checks of one mode: with `AuthMode=jwt`, a local OIDC issuer it trusts. */
export interface SampleEventStack {
  mode: AuthMode;
  e2e: E2eStack;
  issuer: OidcIssuer | null;
  /** The template parameters the stack runs with. */
  parameters: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSampleEventStack(mode: AuthMode, env: Record<string, string>): Promise<SampleEventStack> {
  const issuer = mode === 'jwt' ? await startOidcIssuer({ dataDir: null, port: 0 }) : null;
  const parameters = modeParameters(
    mode,
    issuer
      ? { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, nameClaim: issuer.nameClaim }
      : undefined,
  );
  let e2e: E2eStack;
  try {
    e2e = await startE2eStack(env, parameters);
  } catch (error) {
    await issuer?.stop();
    throw error;
  }
  return {
    mode,
    e2e,
    issuer,
    parameters,
    async stop() {
      await e2e.stop();
      await issuer?.stop();
    },
  };
}

const CONNECTION = 'Gg3GqdpYIAMCJOg=';

type Reply = { statusCode: number; body?: string };

/** What every sample event must do, in the order they make sense (a connection's life, then the rest). */
export interface SampleEventCheck {
  title: string;
  /** The mode of the stack it runs on: that of the events it sends (see `eventFunctions`). */
  mode: AuthMode;
  /** The event files it runs, each at least once; together the checks run every file of events/. */
  events: string[];
  run(context: SampleEventContext): Promise<void>;
}

/** What every sample event must do, in the order they make sense (a connection's life, then the rest). */
export const SAMPLE_EVENT_CHECKS: SampleEventCheck[] = [
  {
    mode: 'anonymous',
    events: [
      'connect-bad-name.json',
      'connect.json',
      'hello.json',
      'ping.json',
      'subscribe.json',
      'publish.json',
      'default-publish.json',
      'default-invalid-json.json',
      'sendmessage.json',
      'send.json',
      'history.json',
      'who.json',
      'join.json',
      'leave.json',
      'unsubscribe.json',
      'teleread.json',
      'teleprinter.json',
      'stop.json',
      'reset.json',
      'disconnect.json',
    ],
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
    mode: 'anonymous',
    events: ['feed-worker.json'],
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
    mode: 'anonymous',
    events: ['presence-worker.json'],
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
    mode: 'anonymous',
    events: ['fan-out-worker.json'],
    title:
      "runs the fan-out worker from its sample event: its shard's subscriber gets the frame, another shard's job skips it",
    async run({ model, eventsDir, invoke, e2e }) {
      const client = await e2e.connect();
      const live = String((await client.session()).connectionId);
      const event = loadJson<{ Records: Array<{ body: string }> }>(eventsDir, 'fan-out-worker.json');
      const job = JSON.parse(event.Records[0]?.body ?? '{}') as {
        channel: string;
        frame: Record<string, unknown>;
        shard: { index: number; of: number };
      };
      expect(job.channel).toBe('topic:news');
      expect(await client.request({ action: 'subscribe', topic: 'news' }, (f) => f.type === 'subscribed')).toBeTruthy();
      // The sample's job, for the shard of its channel's subscribers that holds the live connection, and another.
      const holds = (index: number): boolean => {
        const { from, to } = subscriberRange({ index, of: job.shard.of });
        return `CONN#${live}` >= from && `CONN#${live}` <= to;
      };
      const shards = Array.from({ length: job.shard.of }, (_, index) => index);
      const own = shards.find(holds);
      const other = shards.find((index) => !holds(index));
      const onShard = (index: number | undefined) => {
        const record = { ...event.Records[0], body: JSON.stringify({ ...job, shard: { ...job.shard, index } }) };
        return { ...event, Records: [record] };
      };
      const worker = functionFor(model, 'fan-out-worker.json', {});
      const isSample = (frame: Record<string, unknown>) => frame.type === 'message' && frame.seq === job.frame.seq;

      expect(await invoke(worker, onShard(other), 'fan-out-worker.json')).toEqual({ batchItemFailures: [] });
      expect(await invoke(worker, onShard(own), 'fan-out-worker.json')).toEqual({ batchItemFailures: [] });
      expect(await client.next(isSample, 5000)).toEqual(job.frame);
      // A round trip on the socket after both jobs: any frame the gateway wrote for them has arrived by its reply.
      await client.request({ action: 'ping' }, (frame) => frame.type === 'pong');
      expect(client.frames.filter(isSample)).toHaveLength(1);
    },
  },
  {
    mode: 'anonymous',
    events: [
      'http-post-topic-message.json',
      'http-get-topic-messages.json',
      'http-post-user-message.json',
      'http-get-user-sessions.json',
    ],
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
  {
    mode: 'jwt',
    events: ['sign-in-expiry-worker.json'],
    title: 'runs the sign-in expiry worker from its sample event: token_expired, then the server closes the connection',
    async run({ model, eventsDir, invoke, e2e, issuer }) {
      if (!issuer) throw new Error('the sign-in expiry worker runs with AuthMode=jwt, on a stack with an issuer');
      const client = await e2e.connect({ token: (await issuer.mint({ sub: 'sample-expiry', name: 'Ada' })).token });
      const live = String((await client.session()).connectionId);
      const event = loadJson<{ Records: Array<{ body: string }> }>(eventsDir, 'sign-in-expiry-worker.json');
      const { expiresAt } = JSON.parse(event.Records[0]?.body ?? '{}') as { expiresAt: string };
      // The live connection signed in with a token; the sample's expiry (past) stands for that token's.
      const [meta] = (await e2e.partition(`CONN#${live}`)).filter((item) => item.sk === 'META');
      expect(meta?.signedIn).toMatchObject({ method: 'jwt' });
      await e2e.put({ ...meta, signedIn: { method: 'jwt', expiresAt } });
      if (event.Records[0]) event.Records[0].body = JSON.stringify({ connectionId: live, expiresAt });

      const worker = functionFor(model, 'sign-in-expiry-worker.json', {});
      expect(await invoke(worker, event, 'sign-in-expiry-worker.json')).toEqual({ batchItemFailures: [] });

      expect(await client.next((frame) => frame.type === 'error', 5000)).toMatchObject({ code: 'token_expired' });
      await client.closed(5000);
    },
  },
  {
    mode: 'jwt',
    events: ['authorizer-request.json'],
    title: "runs the authorizer on its sample event: the sample's token refused (401), one from the issuer allowed",
    async run({ model, eventsDir, invoke, issuer }) {
      if (!issuer) throw new Error('the authorizer runs with AuthMode=jwt, on a stack with an issuer');
      type AuthorizerEvent = Event & {
        methodArn: string;
        headers: Record<string, string>;
        multiValueHeaders: Record<string, string[]>;
      };
      const event = loadEvent(eventsDir, 'authorizer-request.json') as AuthorizerEvent;
      const authorizer = functionFor(model, 'authorizer-request.json', event);
      // The sample's token is shaped like a JWT but signed by no one: API Gateway answers 401 to `Unauthorized`.
      await expect(invoke(authorizer, event, 'authorizer-request.json')).rejects.toThrow(/Unauthorized/);

      const { token } = await issuer.mint({ sub: 'sample-authorizer', name: 'Ada' });
      const protocols = `switchboard, ${token}`;
      event.headers['Sec-WebSocket-Protocol'] = protocols;
      event.multiValueHeaders['Sec-WebSocket-Protocol'] = [protocols];
      expect(await invoke(authorizer, event, 'authorizer-request.json')).toEqual({
        principalId: 'sample-authorizer',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
        },
        context: { sub: 'sample-authorizer', name: 'Ada', exp: expect.any(Number) },
      });
    },
  },
  {
    mode: 'iam',
    events: ['connect-iam.json'],
    title: "runs $connect on its AuthMode=iam sample event: the identity pool's guest becomes its own user",
    async run({ model, eventsDir, invoke, e2e }) {
      const event = loadEvent(eventsDir, 'connect-iam.json') as Event & {
        requestContext: { connectionId: string; identity: { cognitoIdentityId: string } };
      };
      const reply = (await invoke(functionFor(model, 'connect-iam.json', event), event, 'connect-iam.json')) as Reply;

      expect(reply.statusCode).toBe(200);
      const { connectionId, identity } = event.requestContext;
      const [meta] = (await e2e.partition(`CONN#${connectionId}`)).filter((item) => item.sk === 'META');
      expect(meta).toMatchObject({ userId: `${identity.cognitoIdentityId}@iam`, signedIn: { method: 'iam' } });
    },
  },
];
