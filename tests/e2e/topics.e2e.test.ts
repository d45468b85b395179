import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

let e2e: E2eStack;
beforeAll(async () => {
  // Floods on purpose (4 publishers x 50 at once): the publish budget is raised out of the way.
  e2e = await startE2eStack({ PUBLISH_RATE_PER_SECOND: '1000', PUBLISH_BURST: '1000' });
});
afterAll(() => e2e.stop());

const onTopic = (topic: string) => (frame: Frame) => frame.type === 'message' && frame.topic === topic;
const seqs = (client: TestClient, topic: string) =>
  client.frames.filter(onTopic(topic)).map((frame) => Number(frame.seq));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function subscribed(client: TestClient, topic: string, since?: number): Promise<Frame> {
  return client.request(
    { action: 'subscribe', topic, ...(since === undefined ? {} : { since }) },
    (frame) => frame.type === 'subscribed' && frame.topic === topic,
  );
}

async function http(path: string, init?: { method: string; body: unknown }) {
  const response = await fetch(`${e2e.stack.httpUrl}${path}`, {
    method: init?.method ?? 'GET',
    ...(init
      ? {
          body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
          headers: { 'content-type': 'application/json' },
        }
      : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('topics through the local gateway', () => {
  it('delivers a seed-style {"topic","message"} publish to a ?topicName= subscriber', async () => {
    const listener = await e2e.connect({ topicName: 'seed' });
    const publisher = await e2e.connect();

    const ack = await publisher.request({ topic: 'seed', message: 'hello seed' }, (frame) => frame.type === 'ack');
    const delivered = await listener.next(onTopic('seed'));

    expect(ack).toMatchObject({ topic: 'seed', seq: 1 });
    expect(delivered).toMatchObject({ message: 'hello seed', seq: 1, from: expect.any(String) });
  });

  it('gives three subscribers on two topics exactly their topic, in seq order', async () => {
    const [a1, a2, b1] = await Promise.all([e2e.connect(), e2e.connect(), e2e.connect()]);
    await subscribed(a1, 'alpha');
    await subscribed(a2, 'alpha');
    await subscribed(b1, 'beta');
    const publisher = await e2e.connect();

    for (let i = 1; i <= 5; i += 1) {
      await publisher.request({ action: 'publish', topic: 'alpha', message: `a${i}` }, (frame) => frame.type === 'ack');
      await publisher.request({ action: 'publish', topic: 'beta', message: `b${i}` }, (frame) => frame.type === 'ack');
    }
    await Promise.all([a1.nextN(onTopic('alpha'), 5), a2.nextN(onTopic('alpha'), 5), b1.nextN(onTopic('beta'), 5)]);

    expect(seqs(a1, 'alpha')).toEqual(range(1, 5));
    expect(seqs(a2, 'alpha')).toEqual(range(1, 5));
    expect(seqs(b1, 'beta')).toEqual(range(1, 5));
    expect(seqs(a1, 'beta')).toEqual([]);
    expect(seqs(b1, 'alpha')).toEqual([]);
    expect(b1.frames.filter(onTopic('beta')).map((frame) => frame.message)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
  });

  it('numbers 4 concurrent publishers x 50 messages 1..200 with no gap, and every subscriber gets all 200', async () => {
    const subscribers = await Promise.all([e2e.connect(), e2e.connect(), e2e.connect()]);
    for (const subscriber of subscribers) await subscribed(subscriber, 'busy');
    const publishers = await Promise.all(range(1, 4).map(() => e2e.connect()));

    const acks = await Promise.all(
      publishers.map(async (publisher, p) => {
        for (let i = 0; i < 50; i += 1)
          publisher.send({ action: 'publish', topic: 'busy', message: { p, i }, id: `p${p}-${i}` });
        return publisher.nextN((frame) => frame.type === 'ack', 50, 30_000);
      }),
    );
    await Promise.all(subscribers.map((subscriber) => subscriber.nextN(onTopic('busy'), 200, 30_000)));

    expect(
      acks
        .flat()
        .map((ack) => Number(ack.seq))
        .sort((a, b) => a - b),
    ).toEqual(range(1, 200));
    for (const subscriber of subscribers) {
      expect(seqs(subscriber, 'busy').sort((a, b) => a - b)).toEqual(range(1, 200));
    }
  });

  it('replays exactly the 10 missed messages to a resubscriber, then live ones', async () => {
    const publisher = await e2e.connect();
    const publishOne = (message: string) =>
      publisher.request({ action: 'publish', topic: 'replay', message }, (frame) => frame.type === 'ack');
    const reader = await e2e.connect();
    await subscribed(reader, 'replay');
    for (let i = 1; i <= 3; i += 1) await publishOne(`m${i}`);
    await reader.nextN(onTopic('replay'), 3);
    reader.close();
    await reader.closed();

    for (let i = 4; i <= 13; i += 1) await publishOne(`m${i}`);
    const back = await e2e.connect();
    const reply = await subscribed(back, 'replay', 3);
    await back.nextN(onTopic('replay'), 10);
    await publishOne('m14');
    await back.nextN(onTopic('replay'), 11);

    expect(reply.seq).toBe(13);
    expect(back.frames.filter(onTopic('replay')).map((frame) => frame.message)).toEqual(
      range(4, 14).map((i) => `m${i}`),
    );
    const beyond = await e2e.connect();
    await subscribed(beyond, 'replay', 99);
    await beyond.session();
    expect(seqs(beyond, 'replay')).toEqual([]);
  });

  it('loses nothing published while a replay runs: every seq arrives, duplicates only', async () => {
    const publisher = await e2e.connect();
    const publishOne = (message: string) =>
      publisher.request({ action: 'publish', topic: 'racing', message }, (frame) => frame.type === 'ack');
    for (let i = 1; i <= 150; i += 1) await publishOne(`old${i}`);
    const latecomer = await e2e.connect();

    const during = Array.from({ length: 30 }, (_, i) => publishOne(`new${i + 1}`));
    latecomer.send({ action: 'subscribe', topic: 'racing', since: 0 });
    await Promise.all(during);
    const all = await new Promise<number[]>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const seen = new Set(seqs(latecomer, 'racing'));
        if (seen.size >= 180) resolve([...seen].sort((a, b) => a - b));
        else if (Date.now() - started > 20_000) reject(new Error(`only ${seen.size} of 180 seqs arrived`));
        else setTimeout(poll, 20);
      };
      poll();
    });

    expect(all).toEqual(range(1, 180));
    expect(seqs(latecomer, 'racing').length).toBeGreaterThanOrEqual(180);
  });

  it('stores and delivers a repeated id once, acked with the original seq', async () => {
    const listener = await e2e.connect();
    await subscribed(listener, 'dedupe');
    const publisher = await e2e.connect();

    const first = await publisher.request(
      { action: 'publish', topic: 'dedupe', message: 'once', id: 'same' },
      (frame) => frame.type === 'ack',
    );
    const again = await publisher.request(
      { action: 'publish', topic: 'dedupe', message: 'once', id: 'same' },
      (frame) => frame.type === 'ack',
    );
    await publisher.request({ action: 'publish', topic: 'dedupe', message: 'next' }, (frame) => frame.type === 'ack');
    await listener.next((frame) => onTopic('dedupe')(frame) && frame.message === 'next');

    expect(again).toEqual(first);
    expect(listener.frames.filter(onTopic('dedupe')).map((frame) => frame.message)).toEqual(['once', 'next']);
  });

  it('publishes from the HTTP API to WebSocket subscribers and reads the history back', async () => {
    const listener = await e2e.connect({ topicName: 'devices' });

    const posted = await http('/topics/devices/messages', {
      method: 'POST',
      body: { message: { temp: 21.5 }, id: 'reading-1' },
    });
    const delivered = await listener.next(onTopic('devices'));
    await http('/topics/devices/messages', { method: 'POST', body: { message: 'second' } });
    const history = await http('/topics/devices/messages?since=0&limit=10');

    expect(posted).toEqual({ status: 202, body: { topic: 'devices', seq: 1, id: 'reading-1' } });
    expect(delivered).toMatchObject({ message: { temp: 21.5 }, seq: 1, from: null });
    expect((history.body.messages as Frame[]).map((frame) => frame.message)).toEqual([{ temp: 21.5 }, 'second']);
    expect(await http('/topics/devices/messages', { method: 'POST', body: '{not json' })).toMatchObject({
      status: 400,
      body: { code: 'invalid_json' },
    });
    expect(await http('/topics/bad%20topic/messages?since=0')).toMatchObject({
      status: 400,
      body: { code: 'invalid_frame' },
    });
    expect(
      await http('/topics/devices/messages', { method: 'POST', body: { message: 'z'.repeat(130_000) } }),
    ).toMatchObject({ status: 413 });
    expect(
      await http('/topics/devices/messages', { method: 'POST', body: { message: 'z'.repeat(20_000) } }),
    ).toMatchObject({ status: 413, body: { code: 'too_large' } });
    expect(await http('/topics/devices/messages?limit=0')).toMatchObject({ status: 400 });
  });

  it('delivers a direct message to both tabs of one user and no one else', async () => {
    const tab1 = await e2e.connect();
    const { token, userId } = await tab1.session();
    const tab2 = await e2e.connect({ token: String(token) });
    const stranger = await e2e.connect();

    const result = await http(`/users/${String(userId)}/messages`, {
      method: 'POST',
      body: { message: { hi: 'you' } },
    });
    await Promise.all([tab1.next((frame) => frame.type === 'direct'), tab2.next((frame) => frame.type === 'direct')]);
    await stranger.session();

    expect(result).toEqual({ status: 202, body: { delivered: 2 } });
    expect(stranger.ofType('direct')).toEqual([]);
    expect(await http('/users/nobody/messages', { method: 'POST', body: { message: 1 } })).toEqual({
      status: 202,
      body: { delivered: 0 },
    });
  });
});
