import { type CountingProxy, startCountingProxy } from '../../bench/lib/counting-proxy';
import { type E2eStack, startE2eStack } from './support/e2e-stack';

/**
 * What each client action costs in DynamoDB, counted at a proxy in front of the embedded DynamoDB that
 * every function talks to: a `ping` costs nothing, and no request path ever Scans.
 */
let proxy: CountingProxy;
let e2e: E2eStack;

beforeAll(async () => {
  proxy = await startCountingProxy('dynamodb');
  e2e = await startE2eStack({ DYNAMODB_ENDPOINT: proxy.url, FEED_CHUNK_SIZE: '500' });
  proxy.setTarget(e2e.stack.dynamoEndpoint);
});
afterAll(async () => {
  await e2e.stop();
  await proxy.close();
});

async function requestsDuring(action: () => Promise<unknown>): Promise<Record<string, number>> {
  await proxy.settle(50, 2000);
  proxy.reset();
  await action();
  await proxy.settle(50, 5000);
  return proxy.counts().requests;
}

describe('DynamoDB requests per client action', () => {
  it('answers ping without touching DynamoDB', async () => {
    const client = await e2e.connect();
    await client.session();

    const requests = await requestsDuring(() => client.request({ action: 'ping' }, (frame) => frame.type === 'pong'));

    expect(requests).toEqual({});
  });

  it('never Scans, whatever the client does', async () => {
    let total = 0;
    const all: Record<string, number> = {};
    const count = async (action: () => Promise<unknown>) => {
      for (const [operation, n] of Object.entries(await requestsDuring(action))) {
        all[operation] = (all[operation] ?? 0) + n;
        total += n;
      }
    };
    let ada = await e2e.connect({ name: 'Ada', topicName: 'news' });
    const bob = await e2e.connect({ name: 'Bob' });
    const session = await ada.session();

    await count(() =>
      bob.request({ action: 'subscribe', topic: 'news', since: 0 }, (frame) => frame.type === 'subscribed'),
    );
    await count(() =>
      ada.request({ action: 'publish', topic: 'news', message: { n: 1 }, id: 'p-1' }, (frame) => frame.type === 'ack'),
    );
    await count(() =>
      ada.request({ action: 'sendmessage', message: 'hello', id: 'c-1' }, (frame) => frame.type === 'chat'),
    );
    await count(() => bob.request({ action: 'history' }, (frame) => frame.type === 'history'));
    await count(() => bob.request({ action: 'who' }, (frame) => frame.type === 'who'));
    await count(() => ada.request({ action: 'teleread' }, (frame) => frame.type === 'feed-end', 10_000));
    await count(async () => {
      ada.close();
      await ada.closed();
    });
    await count(async () => {
      ada = await e2e.connect({ token: String(session.token) });
      await ada.session();
    });
    await count(() => bob.request({ action: 'unsubscribe', topic: 'news' }, (frame) => frame.type === 'unsubscribed'));
    await count(() => ada.request({ action: 'reset' }, (frame) => frame.type === 'session'));
    await count(() => fetch(`${e2e.stack.httpUrl}/topics/news/messages?since=0`).then((response) => response.json()));

    expect(total).toBeGreaterThan(20);
    expect(all.Query).toBeGreaterThan(0);
    expect(all.Scan).toBeUndefined();
  });
});
