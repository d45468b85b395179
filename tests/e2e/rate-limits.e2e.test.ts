import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

/**
 * Per-connection limits through the local gateway, set through the template's parameters (as a
 * deployment would): every route class has its own token bucket, and a connection holds a bounded
 * number of topic subscriptions.
 */
let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack(
    {},
    {
      PublishRatePerSecond: '1',
      PublishBurst: '5',
      ReadRatePerSecond: '1',
      ReadBurst: '3',
      SubscribeRatePerSecond: '1',
      SubscribeBurst: '10',
      MaxSubscriptionsPerConnection: '3',
    },
  );
});
afterAll(() => e2e.stop());

const errors = (client: TestClient, code: string) =>
  client.frames.filter((frame) => frame.type === 'error' && frame.code === code);
const answered = (client: TestClient, types: string[]) =>
  client.frames.filter((frame) => types.includes(String(frame.type)) || frame.type === 'error');

describe('rate limits per route class', () => {
  it('stores and delivers only a publish burst, refuses the rest with rate_limited, and keeps the connection open', async () => {
    const publisher = await e2e.connect({ topicName: 'flood' });
    await publisher.session();

    const started = Date.now();
    for (let n = 1; n <= 12; n += 1)
      publisher.send({ action: 'publish', topic: 'flood', message: { n }, id: `flood-${n}` });
    await waitUntil(() => answered(publisher, ['ack']).length >= 12);
    const refilled = Math.ceil((Date.now() - started) / 1000); // 1 a second
    const stored = await e2e.partition('MSG#topic:flood');
    const acks = publisher.ofType('ack').length;

    expect(acks).toBeGreaterThanOrEqual(5);
    expect(acks).toBeLessThanOrEqual(5 + refilled);
    expect(errors(publisher, 'rate_limited')).toHaveLength(12 - acks);
    expect(errors(publisher, 'rate_limited')[0]).toMatchObject({ action: 'publish' });
    expect(stored).toHaveLength(acks);
    await expect(publisher.request({ action: 'ping' }, (frame) => frame.type === 'pong')).resolves.toBeDefined();
  });

  it('refuses malformed seed-style publishes by validation without drawing on the publish budget', async () => {
    const sender = await e2e.connect();
    await sender.session();

    for (let n = 0; n < 10; n += 1) sender.send({ topic: 'seed' }); // no "message"
    await waitUntil(() => answered(sender, []).length >= 10);
    const ack = await sender.request(
      { topic: 'seed', message: 'a real one' },
      (frame) => frame.type === 'ack' || (frame.type === 'error' && frame.code === 'rate_limited'),
    );

    expect(errors(sender, 'invalid_frame')).toHaveLength(10);
    expect(errors(sender, 'rate_limited')).toEqual([]);
    expect(ack.type).toBe('ack');
  });

  it('limits history and who on their own budget, leaving chat, publish and ping alone', async () => {
    const reader = await e2e.connect();
    await reader.session();

    const started = Date.now();
    for (let n = 0; n < 8; n += 1) reader.send({ action: n % 2 ? 'who' : 'history' });
    await waitUntil(() => answered(reader, ['history', 'who']).length >= 8);
    const refilled = Math.ceil((Date.now() - started) / 1000);
    const chat = await reader.request(
      { action: 'sendmessage', message: 'still here' },
      (frame) => frame.type === 'chat' || frame.type === 'error',
    );
    const ack = await reader.request(
      { action: 'publish', topic: 'other', message: 1 },
      (frame) => frame.type === 'ack' || frame.type === 'error',
    );

    const refused = errors(reader, 'rate_limited').filter(
      (frame) => frame.action === 'history' || frame.action === 'who',
    ).length;
    expect(8 - refused).toBeGreaterThanOrEqual(3);
    expect(8 - refused).toBeLessThanOrEqual(3 + refilled);
    expect(chat.type).toBe('chat');
    expect(ack.type).toBe('ack');
  });
});

describe('subscriptions per connection', () => {
  it('refuses a subscription over the cap with too_many_subscriptions, counting ?topicName= and not resubscriptions', async () => {
    const client = await e2e.connect({ topicName: 'cap-0' });
    await client.session();
    const subscribe = (topic: string) =>
      client.request(
        { action: 'subscribe', topic },
        (frame) => (frame.type === 'subscribed' && frame.topic === topic) || frame.type === 'error',
      );

    const first = [await subscribe('cap-1'), await subscribe('cap-1'), await subscribe('cap-2')];
    const over = await subscribe('cap-3');
    await client.request({ action: 'unsubscribe', topic: 'cap-1' }, (frame) => frame.type === 'unsubscribed');
    const afterUnsubscribe = await subscribe('cap-3');

    expect(first.map((frame) => frame.type)).toEqual(['subscribed', 'subscribed', 'subscribed']);
    expect(over).toMatchObject({ type: 'error', code: 'too_many_subscriptions', action: 'subscribe' });
    expect(await e2e.partition('SUBS#topic:cap-3')).toHaveLength(1);
    expect(afterUnsubscribe.type).toBe('subscribed');
  });
});

describe('reset with two tabs', () => {
  it('closes the other tab of the reset user, so that who and presence agree at once', async () => {
    const watcher = await e2e.connect({ name: 'Watcher' });
    await watcher.session();
    const tabA = await e2e.connect({ name: 'Twin' });
    const old = await tabA.session();
    const tabB = await e2e.connect({ token: String(old.token), name: 'Twin' });
    await tabB.session();
    // Presence is announced per interval: a user who came and went within one may never be announced at all.
    await watcher.next(
      (frame) =>
        frame.type === 'presence' &&
        ((frame.joined as Frame[] | undefined) ?? []).some((user) => user.userId === old.userId),
    );

    const fresh = await tabA.request({ action: 'reset' }, (frame) => frame.type === 'session');
    await watcher.next(
      (frame) =>
        frame.type === 'presence' &&
        ((frame.left as Frame[] | undefined) ?? []).some((user) => user.userId === old.userId),
    );
    const who = await watcher.request({ action: 'who' }, (frame) => frame.type === 'who');
    const ids = (who.users as Frame[]).map((user) => user.userId);

    expect(ids).not.toContain(old.userId);
    expect(ids).toContain(fresh.userId);
    await expect(tabB.closed()).resolves.toBeDefined();
    await expect(e2e.connect({ token: String(old.token) })).rejects.toMatchObject({ statusCode: 401 });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
