import {
  memoryTokenStore,
  type PublishOutcome,
  SwitchboardClient,
  type SwitchboardClientOptions,
} from '@switchboard/client';
import type { SwitchboardStack as LocalStack } from '../../scripts/local/switchboard-stack';
import {
  deleteConnection,
  publishOverHttp,
  recordingWebSocket,
  startLiveStack,
  storedMessages,
  until,
} from './support/live-stack';

// Real sockets through the local gateway, real Lambda handlers, the embedded DynamoDB: the client's
// guarantees as an application sees them, under disconnects the test forces.

const FAST: Partial<SwitchboardClientOptions> = {
  backoff: { baseMs: 20, maxMs: 200, factor: 2 },
  chat: false,
  gapWaitMs: 300,
  gapGiveUpMs: 10_000,
};

function liveClient(options: Partial<SwitchboardClientOptions> = {}) {
  const sockets = recordingWebSocket();
  const client = new SwitchboardClient({
    WebSocket: sockets.WebSocket,
    tokenStore: memoryTokenStore(),
    ...FAST,
    ...options,
  });
  const transitions: string[] = [];
  client.on('state', ({ event }) => transitions.push(event));
  return { client, sockets, transitions };
}

const sequence = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the client against the local stack', () => {
  let stack: LocalStack;
  const clients: SwitchboardClient[] = [];

  beforeAll(async () => {
    stack = await startLiveStack();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('hands a subscriber seq 1 to 1,000 exactly once, in order, through 20 forced disconnects', async () => {
    const topic = `client.survive.${Date.now()}`;
    const { client, sockets } = liveClient();
    clients.push(client);
    const seen: number[] = [];
    client.on('topicMessage', (frame) => seen.push(frame.seq));
    client.subscribe(topic, { since: 0 });
    client.connect(stack.wsUrl);
    await until(() => client.topicStatus(topic) === 'live', 10_000, 'the subscription');

    const total = 1000;
    const cuts = new Set<number>();
    while (cuts.size < 20) cuts.add(20 + Math.floor(Math.random() * (total - 40)));
    let published = 0;
    let forced = 0;
    let lastCut: string | undefined;
    /** One cut at a time, each on a connection that has come back since the previous cut. */
    const cut = async () => {
      await until(
        () => client.state === 'connected' && client.session?.connectionId !== lastCut,
        10_000,
        'a reconnect',
      );
      lastCut = client.session?.connectionId ?? '';
      // Half the cuts drop the TCP connection from the client's side, half delete it from the server's.
      if (forced % 2 === 0) sockets.current()?.terminate();
      else await deleteConnection(stack, lastCut);
      forced += 1;
    };
    let cutting = Promise.resolve();
    const publisher = async () => {
      while (published < total) {
        const n = ++published;
        await publishOverHttp(stack, topic, { n });
        if (!cuts.has(n)) continue;
        cutting = cutting.then(cut);
        await cutting;
      }
    };
    await Promise.all([publisher(), publisher(), publisher(), publisher()]);
    await until(
      () => seen.length >= total,
      30_000,
      () => `all ${total} messages (have ${seen.length}, ${client.state}, ${client.topicStatus(topic)})`,
    );

    expect(forced).toBe(20);
    expect(sockets.opened()).toBeGreaterThanOrEqual(21);
    expect(seen).toEqual(sequence(total));
  }, 180_000); // 1,000 HTTP publishes through the local stack: about a minute on a loaded 2-core machine

  it('stores every message of a publisher cut off mid-burst exactly once, and acks each', async () => {
    const topic = `client.burst.${Date.now()}`;
    const { client, sockets } = liveClient();
    clients.push(client);
    client.connect(stack.wsUrl);
    await until(() => client.state === 'connected', 10_000, 'the session');

    const total = 200;
    const tickets = Array.from({ length: total }, (_, n) => client.publish(topic, { n }));
    await until(() => (sockets.current()?.bufferedAmount ?? 0) === 0, 5000, 'the burst on the wire');
    sockets.current()?.terminate(); // acks and stores still under way
    const outcomes: PublishOutcome[] = await Promise.all(tickets.map((ticket) => ticket.outcome));

    expect(outcomes.filter((outcome) => outcome.status !== 'acked')).toEqual([]);
    const stored = await storedMessages(stack, topic);
    expect(stored.map((message) => message.seq)).toEqual(sequence(total));
    expect(stored.map((message) => (message.message as { n: number }).n).sort((a, b) => a - b)).toEqual(
      sequence(total).map((n) => n - 1),
    );
    expect(new Set(outcomes.map((outcome) => (outcome.status === 'acked' ? outcome.seq : 0))).size).toBe(total);
  }, 60_000);
});

describe('the client against the local stack, with its real rate limits', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLiveStack({}, {});
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('waits out rate_limited for a burst over the publish budget: every publish acked, each stored once', async () => {
    const topic = `client.limited.${Date.now()}`;
    const { client } = liveClient();
    const refusals: string[] = [];
    client.on('error', (frame) => refusals.push(frame.code));
    client.connect(stack.wsUrl);
    try {
      await until(() => client.state === 'connected', 10_000, 'the session');
      const total = 40; // twice the default burst of 20
      const outcomes = await Promise.all(Array.from({ length: total }, (_, n) => client.publish(topic, { n }).outcome));

      expect(refusals).toContain('rate_limited');
      expect(outcomes.filter((outcome) => outcome.status !== 'acked')).toEqual([]);
      const stored = await storedMessages(stack, topic);
      expect(stored.map((message) => message.seq)).toEqual(sequence(total));
    } finally {
      client.close();
    }
  }, 60_000);
});

describe("API Gateway's idle timeout and maximum connection time, shortened", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLiveStack({ maxConnectionMs: 3000, idleTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('replaces the connection before the gateway cuts it, and loses nothing', async () => {
    const topic = `client.planned.${Date.now()}`;
    const { client, transitions } = liveClient({ maxConnectionMs: 2000, heartbeatMs: 300 });
    const seen: number[] = [];
    const closes: string[] = [];
    client.on('topicMessage', (frame) => seen.push(frame.seq));
    client.on('status', ({ detail }) => detail?.startsWith('Connection lost') && closes.push(detail));
    client.subscribe(topic, { since: 0 });
    client.connect(stack.wsUrl);
    try {
      await until(() => client.topicStatus(topic) === 'live', 10_000, 'the subscription');
      const started = Date.now();
      let published = 0;
      const acks: Array<Promise<PublishOutcome>> = [];
      while (Date.now() - started < 7000) {
        published += 1;
        if (published % 2 === 0) await publishOverHttp(stack, topic, { n: published });
        else acks.push(client.publish(topic, { n: published }).outcome);
        await new Promise((done) => setTimeout(done, 15));
      }
      const outcomes = await Promise.all(acks);
      await until(
        () => seen.length >= published,
        20_000,
        () => `all ${published} messages (have ${seen.length})`,
      );

      expect(transitions.filter((event) => event === 'renew').length).toBeGreaterThanOrEqual(3);
      expect(closes).toEqual([]); // never cut off by the gateway
      expect(outcomes.every((outcome) => outcome.status === 'acked')).toBe(true);
      expect(seen).toEqual(sequence(published));
    } finally {
      client.close();
    }
  }, 60_000);

  it.each([
    ['keeps an idle connection open with its heartbeat', 300, 0],
    ['(without a heartbeat inside the timeout, the gateway closes it)', 60_000, 1],
  ])(
    '%s',
    async (_what, heartbeatMs, expectedLosses) => {
      const { client, transitions } = liveClient({ maxConnectionMs: 0, heartbeatMs });
      client.connect(stack.wsUrl);
      try {
        await until(() => client.state === 'connected', 10_000, 'the session');
        const connectionId = client.session?.connectionId;
        await new Promise((done) => setTimeout(done, 1600)); // idle, beyond the 1 s timeout

        expect(transitions.filter((event) => event === 'socket-lost').length).toBe(expectedLosses);
        if (expectedLosses === 0) expect(client.session?.connectionId).toBe(connectionId);
      } finally {
        client.close();
      }
    },
    30_000,
  );
});
