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

async function invoke(name: string): Promise<{ statusCode: number; body?: string }> {
  const event = loadEvent(name);
  const { Payload, FunctionError } = await lambda.send(
    new InvokeCommand({ FunctionName: functionFor(event), Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const result = JSON.parse(new TextDecoder().decode(Payload)) as { statusCode: number; body?: string };
  if (FunctionError) throw new Error(`${name} failed: ${JSON.stringify(result)}`);
  return result;
}

const CONNECTION = 'Gg3GqdpYIAMCJOg=';

beforeAll(async () => {
  e2e = await startE2eStack();
  lambda = new LambdaClient({ endpoint: e2e.stack.connectionsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  lambda.destroy();
  await e2e.stop();
});

describe('events/*.json invoked on their functions', () => {
  it('has an event for every WebSocket route of the template', () => {
    const covered = new Set(readdirSync(EVENTS_DIR).map((name) => {
      const event = loadEvent(name);
      return event.routeKey ?? event.requestContext.routeKey;
    }));
    const routes = [...(model.webSocketApi?.routes.keys() ?? [])];

    const httpRoutes = model.httpRoutes.map((route) => `${route.method} ${route.path}`);

    expect([...routes, ...httpRoutes].filter((key) => !covered.has(key))).toEqual([]);
  });

  it('runs a whole connection life from the sample events, with the effects in DynamoDB', async () => {
    expect(await invoke('connect-bad-name.json')).toMatchObject({ statusCode: 400 });
    expect(await e2e.partition(`CONN#${CONNECTION}`)).toEqual([]);

    expect(await invoke('connect.json')).toMatchObject({ statusCode: 200 });
    const [meta] = (await e2e.partition(`CONN#${CONNECTION}`)).filter((item) => item.sk === 'META');
    expect(meta).toMatchObject({ name: 'Ada', sourceIp: '203.0.113.7' });
    expect((await e2e.partition('SUBS#topic:news')).map((item) => item.connectionId)).toEqual([CONNECTION]);

    for (const name of ['hello.json', 'ping.json', 'subscribe.json', 'publish.json', 'default-publish.json', 'default-invalid-json.json', 'sendmessage.json', 'send.json', 'history.json', 'who.json']) {
      expect(await invoke(name)).toMatchObject({ statusCode: 200 });
    }
    expect((await e2e.partition('MSG#topic:news')).map((item) => item.seq)).toEqual([1, 2]);
    expect((await e2e.partition('MSG#chat')).map((item) => item.id)).toEqual(['c-1', 'c-2']);

    expect(await invoke('unsubscribe.json')).toMatchObject({ statusCode: 200 });
    expect(await e2e.partition('SUBS#topic:news')).toEqual([]);

    expect(await invoke('teleread.json')).toMatchObject({ statusCode: 200 });
    expect(await invoke('teleprinter.json')).toMatchObject({ statusCode: 200 });
    expect(await invoke('stop.json')).toMatchObject({ statusCode: 200 });
    expect(await invoke('reset.json')).toMatchObject({ statusCode: 200 });
    const afterReset = (await e2e.partition(`CONN#${CONNECTION}`)).find((item) => item.sk === 'META');
    expect(afterReset?.userId).not.toBe(meta?.userId);

    expect(await invoke('disconnect.json')).toMatchObject({ statusCode: 200 });
    expect(await e2e.partition(`CONN#${CONNECTION}`)).toEqual([]);
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
