import { type ChatOutcome, LIMITS, type PublishOutcome, type SwitchboardClient } from '@switchboard/client';
import { requireFrameSize } from '../../packages/client/src/validate';
import { setup, URL_ } from './support/harness';

function connected(options: Parameters<typeof setup>[0] = {}) {
  const h = setup({ heartbeatMs: 60 * 60_000, ...options });
  const outcomes: Array<PublishOutcome | ChatOutcome> = [];
  h.client.on('publishOutcome', (outcome) => outcomes.push(outcome));
  h.client.on('chatOutcome', (outcome) => outcomes.push(outcome));
  h.client.connect(URL_);
  const socket = h.establish();
  return { ...h, socket, outcomes };
}

/** A value nesting `levels` arrays: `[[[1]]]` is 3. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
}

describe('bad input is refused with a typed error naming the rule, before anything is sent', () => {
  it('takes what the server takes: text with line breaks and tabs, a message exactly 32 levels deep', () => {
    const { client, socket } = connected();

    client.sendChat('  two\r\n\tlines ');
    client.publish('news', { text: 'a\r\nb', n: nested(LIMITS.messageDepth - 1) });

    expect(socket.sent.filter((frame) => frame.action === 'sendmessage').map((frame) => frame.message)).toEqual([
      'two\n\tlines',
    ]);
    expect(socket.sent.filter((frame) => frame.action === 'publish')).toHaveLength(1);
  });

  it.each([
    ['a topic outside the rules', (c: SwitchboardClient) => c.subscribe('no spaces'), 'InvalidTopicError', 'topic'],
    ['an empty topic', (c: SwitchboardClient) => c.publish('', 'x'), 'InvalidTopicError', 'topic'],
    [
      'a message over 16 KB',
      (c: SwitchboardClient) => c.publish('news', 'x'.repeat(LIMITS.messageBytes)),
      'MessageTooLargeError',
      'message-size',
    ],
    [
      'chat over 2,000 characters',
      (c: SwitchboardClient) => c.sendChat('😀'.repeat(LIMITS.chatChars + 1)),
      'MessageTooLargeError',
      'chat-text',
    ],
    ['empty chat', (c: SwitchboardClient) => c.sendChat('   '), 'EmptyChatError', 'chat-text'],
    [
      'chat with a direction override',
      (c: SwitchboardClient) => c.sendChat('invoice\u202egnp.exe'),
      'UnprintableTextError',
      'chat-text',
    ],
    [
      'chat with a control character',
      (c: SwitchboardClient) => c.sendChat('bell\u0007'),
      'UnprintableTextError',
      'chat-text',
    ],
    [
      'a message nested 33 levels deep',
      (c: SwitchboardClient) => c.publish('news', nested(LIMITS.messageDepth + 1)),
      'MessageTooDeepError',
      'message-depth',
    ],
    [
      'a message with a zero-width space in a key',
      (c: SwitchboardClient) => c.publish('news', { 'a\u200b': 1 }),
      'UnprintableTextError',
      'message-text',
    ],
    ['a name with a zero-width space', (c: SwitchboardClient) => c.setName('Ada\u200b'), 'InvalidNameError', 'name'],
    [
      'a since that is not a whole number',
      (c: SwitchboardClient) => c.subscribe('news', { since: -1 }),
      'InvalidSinceError',
      'since',
    ],
    ['a URL that is not ws://', (c: SwitchboardClient) => c.connect('https://example.com'), 'InvalidUrlError', 'url'],
  ])('%s', (_what, call, name, rule) => {
    const { client, socket } = connected();
    const before = socket.sent.length;

    expect(() => call(client)).toThrow(expect.objectContaining({ name, rule }));

    expect(socket.sent.length).toBe(before);
    expect(client.state).toBe('connected');
  });

  it('refuses a frame over API Gateway’s 32 KB rather than have the connection closed', () => {
    const { client, socket } = connected();
    // Every frame is measured in UTF-8 bytes before it is sent, after the content rules (which keep a
    // publish or a chat message under it): the check is the last line, not the first.
    const big = { text: '\u20ac'.repeat(5000) }; // 15,000 bytes of euro signs: within the message limit
    expect(() => client.publish('news', big)).not.toThrow();
    expect(socket.sent.at(-1)?.action).toBe('publish');
    expect(() => requireFrameSize('x'.repeat(LIMITS.frameBytes + 1))).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError', rule: 'frame-size' }),
    );
    expect(() => requireFrameSize('é'.repeat(LIMITS.frameBytes / 2))).not.toThrow();
    expect(() => requireFrameSize('é'.repeat(LIMITS.frameBytes / 2 + 1))).toThrow(
      expect.objectContaining({ rule: 'frame-size' }),
    );
  });
});

describe('a malformed frame from the server', () => {
  it.each([
    ['not JSON', '{"type":"message",'],
    ['not an object', '[1,2]'],
    ['a message without a seq', JSON.stringify({ type: 'message', topic: 'news', message: 1 })],
    [
      'a session without a token',
      JSON.stringify({ type: 'session', userId: 'u', connectionId: 'c', cursor: 0, total: 0 }),
    ],
    ['a type that is not a string', JSON.stringify({ type: 7 })],
  ])('(%s) is reported through an event, never thrown, and changes nothing', (_what, data) => {
    const { client, socket } = connected();
    const reported: string[] = [];
    client.on('malformedFrame', ({ reason }) => reported.push(reason));
    const seen: unknown[] = [];
    client.on('topicMessage', (frame) => seen.push(frame));
    client.subscribe('news');

    expect(() => socket.receiveRaw(data)).not.toThrow();

    expect(reported).toHaveLength(1);
    expect(seen).toEqual([]);
    expect(client.state).toBe('connected');
  });

  it('of a type this client does not know is ignored quietly (a newer server)', () => {
    const { client, socket } = connected();
    const reported: string[] = [];
    client.on('malformedFrame', ({ reason }) => reported.push(reason));
    socket.receiveRaw(JSON.stringify({ type: 'something-new', x: 1 }));
    expect(reported).toEqual([]);
  });

  it('a listener that throws does not stop the client or the other listeners', async () => {
    const { client, socket } = connected();
    const errors: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) =>
      original(() => {
        try {
          callback();
        } catch (error) {
          errors.push(error);
        }
      });
    try {
      const seen: number[] = [];
      client.on('topicMessage', () => {
        throw new Error('app bug');
      });
      client.on('topicMessage', (frame) => seen.push(frame.seq));
      client.subscribe('news');
      socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
      socket.receive({ type: 'message', topic: 'news', seq: 1, message: 1, from: null, sentAt: '' });
      socket.receive({ type: 'message', topic: 'news', seq: 2, message: 2, from: null, sentAt: '' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([1, 2]);
      expect(errors).toHaveLength(2);
      expect(client.lastSeq('news')).toBe(2);
    } finally {
      globalThis.queueMicrotask = original;
    }
  });
});

describe('the outbox', () => {
  it('reports each publish acked with its seq, also through its ticket', async () => {
    const { client, socket, outcomes } = connected();
    const ticket = client.publish('news', 'hello');
    socket.receive({ type: 'ack', id: ticket.id, topic: 'news', seq: 7 });
    await expect(ticket.outcome).resolves.toEqual({ id: ticket.id, topic: 'news', status: 'acked', seq: 7 });
    expect(outcomes).toEqual([{ id: ticket.id, topic: 'news', status: 'acked', seq: 7 }]);
  });

  it('waits out rate_limited and sends again with the same id, never failing, waiting longer each time', () => {
    const { client, socket, scheduler, outcomes } = connected({ rateLimitRetryMs: 1000 });
    const entry = client.sendChat('hi');
    const sends = () => socket.sent.filter((frame) => frame.id === entry.id).length;
    for (const wait of [1000, 2000, 4000, 8000]) {
      socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', action: 'sendmessage' });
      const before = sends();
      scheduler.advance(wait - 1);
      expect(sends()).toBe(before);
      scheduler.advance(1);
      expect(sends()).toBe(before + 1);
    }
    expect(outcomes).toEqual([]);
    socket.receive({
      type: 'chat',
      room: 'lobby',
      id: entry.id,
      seq: 3,
      message: 'hi',
      from: { userId: 'u1', name: 'Ada' },
      sentAt: '',
    });
    expect(outcomes).toEqual([{ id: entry.id, status: 'acked', seq: 3 }]);
  });

  it('retries a publish that met internal with the same id, and reports it failed with the server’s error after the last try', () => {
    const { client, socket, scheduler, outcomes } = connected({ rateLimitRetryMs: 100, maxServerErrors: 3 });
    const { id } = client.publish('news', 'hello');
    for (let attempt = 1; attempt <= 3; attempt++) {
      socket.receive({ type: 'error', code: 'internal', message: 'Something went wrong.', action: 'publish' });
      scheduler.advance(100);
    }
    expect(socket.sent.filter((frame) => frame.id === id)).toHaveLength(3);
    expect(outcomes).toEqual([
      {
        id,
        topic: 'news',
        status: 'failed',
        error: { kind: 'server', code: 'internal', message: 'Something went wrong.' },
      },
    ]);
  });

  it('fails the one publish in flight that the server refuses for good, with the server’s error', () => {
    const { client, socket, outcomes } = connected();
    const { id } = client.publish('news', 'hello');
    socket.receive({ type: 'error', code: 'invalid_frame', message: 'bad', action: 'publish' });
    expect(outcomes).toEqual([
      { id, topic: 'news', status: 'failed', error: { kind: 'server', code: 'invalid_frame', message: 'bad' } },
    ]);
  });

  it('when several are in flight, sends them once more and fails those still waiting at the next refusal', () => {
    const { client, socket, outcomes } = connected();
    const good = client.publish('news', 'good');
    const bad = client.publish('news', 'bad');
    socket.receive({ type: 'error', code: 'invalid_frame', message: 'bad', action: 'publish' });
    expect(outcomes).toEqual([]);
    expect(socket.sent.filter((frame) => frame.action === 'publish')).toHaveLength(4);
    socket.receive({ type: 'ack', id: good.id, topic: 'news', seq: 1 });
    socket.receive({ type: 'error', code: 'invalid_frame', message: 'bad', action: 'publish' });
    expect(outcomes.map((outcome) => [outcome.id, outcome.status])).toEqual([
      [good.id, 'acked'],
      [bad.id, 'failed'],
    ]);
  });

  it('reconnects on unauthorized and sends what was waiting again there, with the same ids', () => {
    const { client, socket, scheduler, establish } = connected();
    const { id } = client.publish('news', 'hello');
    const chat = client.sendChat('hi');
    socket.receive({ type: 'error', code: 'unauthorized', message: 'gone', action: 'publish' });
    expect(client.state).toBe('backoff');
    scheduler.advance(30_000);
    const next = establish({ resumed: true });
    expect(next.sent.filter((frame) => frame.id !== undefined).map((frame) => frame.id)).toEqual([id, chat.id]);
  });

  it('settles every waiting publish as failed (closed) on close', async () => {
    const { client } = connected();
    const ticket = client.publish('news', 'hello');
    client.close();
    await expect(ticket.outcome).resolves.toMatchObject({ status: 'failed', error: { kind: 'closed' } });
    expect(() => client.publish('news', 'again')).toThrow(
      expect.objectContaining({ name: 'ClientClosedError', rule: 'closed' }),
    );
  });
});

describe("API Gateway's limits", () => {
  it('pings well inside the 10-minute idle timeout by default', () => {
    const { socket, scheduler } = connected({ heartbeatMs: undefined });
    scheduler.advance(5 * 60_000 - 1);
    expect(socket.actions()).not.toContain('ping');
    scheduler.advance(1);
    expect(socket.actions().filter((action) => action === 'ping')).toHaveLength(1);
  });

  it('plans a reconnect before the 2-hour limit and resumes everything on the new connection', () => {
    const { client, socket, scheduler, establish, sockets } = connected({
      maxConnectionMs: 110 * 60_000,
      heartbeatMs: 200 * 60_000,
    });
    client.subscribe('news');
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive({ type: 'message', topic: 'news', seq: 1, message: 1, from: null, sentAt: '' });
    client.teleread();
    socket.receive({ type: 'feed', text: 'abc', cursor: 3, total: 100 });
    const { id } = client.publish('news', 'in flight');

    scheduler.advance(110 * 60_000);

    expect(socket.closed).toEqual({ code: 1000 });
    expect(sockets).toHaveLength(2);
    const next = establish({ resumed: true, cursor: 3 });
    expect(next.url).toContain('token=t1');
    expect(next.sent.filter((frame) => ['subscribe', 'teleread', 'publish'].includes(frame.action as string))).toEqual([
      { action: 'subscribe', topic: 'news', since: 1 },
      { action: 'teleread', cursor: 3 },
      { action: 'publish', topic: 'news', message: 'in flight', id },
    ]);
  });

  it('closes on an AbortSignal: every timer stopped, the socket closed', () => {
    const controller = new AbortController();
    const { client, socket, scheduler } = connected({ signal: controller.signal, maxConnectionMs: 60_000 });
    controller.abort();
    expect(client.state).toBe('closed');
    expect(socket.closed).toEqual({ code: 1000 });
    expect(scheduler.pending()).toBe(0);
  });
});
