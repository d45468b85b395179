import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

const SUBSCRIBERS = 40;
/**
 * Connections opened at once. Presence no longer runs in the handshake, but the local stack is one process
 * on a loaded 2-core CI machine; small batches keep each handshake short there.
 */
const BATCH = 5;
let e2e: E2eStack;
beforeAll(async () => {
  // Small thresholds, so that a channel of 40 goes through the queue in several shards of chained jobs.
  e2e = await startE2eStack({}, { FanOutDirectMax: '20', FanOutMaxShards: '4', FanOutSubscribersPerJob: '7' });
}, 60_000);
afterAll(() => e2e.stop(), 60_000);

const onTopic = (topic: string) => (frame: Frame) => frame.type === 'message' && frame.topic === topic;

async function subscribers(topic: string, count: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let at = 0; at < count; at += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - at) }, () => e2e.connect({ topicName: topic })),
    );
    clients.push(...batch);
  }
  return clients;
}

describe('a publish to a topic larger than FanOutDirectMax, through the local stack', () => {
  it('is acknowledged, then reaches every subscriber exactly once through the queue and the fan-out worker', async () => {
    const listeners = await subscribers('big', SUBSCRIBERS);
    const publisher = await e2e.connect();

    const ack = await publisher.request(
      { action: 'publish', topic: 'big', message: { n: 1 } },
      (frame) => frame.type === 'ack',
    );
    await Promise.all(listeners.map((client) => client.next(onTopic('big'), 20_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(ack).toMatchObject({ topic: 'big', seq: 1 });
    for (const client of listeners) expect(client.frames.filter(onTopic('big')).map((f) => f.seq)).toEqual([1]);
    const [counter] = (await e2e.partition('CHAN#topic:big')).filter((item) => item.sk === 'SUBSCRIBERS');
    expect(counter?.subscribers).toBe(SUBSCRIBERS);
  }, 90_000);

  it('still delivers a small topic in place', async () => {
    const listeners = await subscribers('small', 3);
    const publisher = await e2e.connect();

    await publisher.request({ action: 'publish', topic: 'small', message: 'hi' }, (frame) => frame.type === 'ack');

    await Promise.all(listeners.map((client) => client.next(onTopic('small'))));
  });
});

describe('chat and presence in a room larger than FanOutDirectMax, through the local stack', () => {
  const chat = (text: string) => (frame: Frame) => frame.type === 'chat' && frame.message === text;
  const presence = (event: 'join' | 'leave', userId: unknown) => (frame: Frame) =>
    frame.type === 'presence' &&
    ((event === 'join' ? frame.joined : frame.left) as Frame[] | undefined)?.some((user) => user.userId === userId) ===
      true;

  it("a `send` reaches every other connection once through the queue, and a join every connection but the user's", async () => {
    const room = await subscribers('room-test', 25);
    const [counter] = (await e2e.partition('CHAN#chat')).filter((item) => item.sk === 'SUBSCRIBERS');
    expect(Number(counter?.subscribers)).toBeGreaterThan(20);
    const [sender, ...others] = room as [TestClient, ...TestClient[]];

    sender.send({ action: 'send', message: 'to the large room' });
    await Promise.all(others.map((client) => client.next(chat('to the large room'), 20_000)));

    const newcomer = await e2e.connect();
    const { userId } = await newcomer.session();
    await Promise.all(room.map((client) => client.next(presence('join', userId), 20_000)));
    await new Promise((resolve) => setTimeout(resolve, 500));

    for (const client of others) expect(client.frames.filter(chat('to the large room'))).toHaveLength(1);
    expect(sender.frames.filter(chat('to the large room'))).toEqual([]);
    for (const client of room) expect(client.frames.filter(presence('join', userId))).toHaveLength(1);
    expect(newcomer.frames.filter(presence('join', userId))).toEqual([]);
  }, 90_000);
});
