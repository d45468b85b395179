import {
  backoffDelay,
  checkChatText,
  checkDisplayName,
  checkTopicMessage,
  ERROR_CODES,
  handshakeUrl,
  parseGatewayError,
  resolveWsUrl,
} from '@switchboard/client';
import { describeError, describeGatewayError } from '../../web/src/ui/error-messages';
import { flush, session, setup, URL_ } from './support/harness';

describe('backoff schedule', () => {
  it('doubles from the base up to the cap, with half of each delay jittered', () => {
    const options = { baseMs: 500, maxMs: 8000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, () => 0, options))).toEqual([
      250, 500, 1000, 2000, 4000, 4000,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, () => 1, options))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(backoffDelay(2, () => 0.5, options)).toBe(1500);
  });

  it('waits the scheduled delays between attempts and starts over after a session', () => {
    const { client, sockets, scheduler, establish, last, statuses } = setup();
    client.connect(URL_);
    establish();
    last().drop();
    expect(statuses.at(-1)).toBe('reconnecting');

    scheduler.advance(374); // attempt 0: 500/2 + 500/2 * 0.5 = 375
    expect(sockets).toHaveLength(1);
    scheduler.advance(1);
    expect(sockets).toHaveLength(2);

    last().open(); // opened, then lost before the session came back
    last().drop();
    scheduler.advance(749); // attempt 1: 750
    expect(sockets).toHaveLength(2);
    scheduler.advance(1);
    expect(sockets).toHaveLength(3);

    establish();
    expect(statuses.at(-1)).toBe('connected');
    last().drop();
    scheduler.advance(375);
    expect(sockets).toHaveLength(4);
  });

  it('stays disconnected after Disconnect', () => {
    const { client, sockets, scheduler, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.disconnect();
    expect(socket.closed?.code).toBe(1000);
    scheduler.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('disconnected');
  });
});

describe('session token', () => {
  it('sends hello on open and resumes with the token on reconnect', () => {
    const { client, scheduler, establish, last, tokenStore } = setup();
    client.connect(URL_, { name: 'Ada' });
    expect(last().url).toBe('ws://localhost:3001/?name=Ada');
    const first = establish({ token: 'tok-1' });
    expect(first.actions()[0]).toBe('hello');
    expect(tokenStore.tokens.get(URL_)).toBe('tok-1');

    first.drop();
    scheduler.advance(1000);
    expect(last().url).toBe('ws://localhost:3001/?token=tok-1&name=Ada');
  });

  it('replaces a token the server keeps refusing only once a handshake without it succeeds', async () => {
    const { client, scheduler, establish, last, tokenStore, sockets } = setup({ probe: async () => true });
    const notices: string[] = [];
    client.on('notice', (text) => notices.push(text));
    tokenStore.tokens.set(URL_, 'old');
    client.connect(URL_);
    for (let refusal = 1; refusal <= 3; refusal++) {
      expect(last().url).toContain('token=old');
      last().drop(); // a 401 looks like a close before open
      await flush();
      expect(tokenStore.tokens.get(URL_)).toBe('old');
      scheduler.advance(30_000);
    }
    expect(sockets).toHaveLength(4);
    expect(last().url).not.toContain('token');
    expect(tokenStore.tokens.get(URL_)).toBe('old');

    // The server takes handshakes again: the token is tried once more before anything is replaced...
    establish({ userId: 'u2', token: 'new' });
    expect(tokenStore.tokens.get(URL_)).toBe('old');
    expect(sockets).toHaveLength(5);
    expect(last().url).toContain('token=old');
    last().drop(); // ...and is refused again: now it is the token
    await flush();
    expect(sockets).toHaveLength(6);
    expect(last().url).not.toContain('token');
    establish({ userId: 'u3', token: 'newer' });
    expect(tokenStore.tokens.get(URL_)).toBe('newer');
    expect(notices).toEqual(['The server no longer accepts this identity; starting a new one.']);
  });

  it('keeps the token when the server recovers just as the page tries without it', async () => {
    const { refuseHandshakes, client, establish, last, tokenStore, sockets } = setup({ probe: async () => true });
    const notices: string[] = [];
    client.on('notice', (text) => notices.push(text));
    tokenStore.tokens.set(URL_, 'keep');
    client.connect(URL_);
    await refuseHandshakes(3); // three 5xx in a row while the server still answers HTTP
    expect(last().url).not.toContain('token');
    establish({ userId: 'stranger', token: 'tokenless' });
    expect(last().url).toContain('token=keep');

    establish({ userId: 'u1', token: 'keep-2', resumed: true });

    expect(sockets).toHaveLength(5);
    expect(tokenStore.tokens.get(URL_)).toBe('keep-2');
    expect(client.session?.userId).toBe('u1');
    expect(notices).toEqual([]);
  });

  it('starts over without the old token when Reset identity is pressed while the token is being re-tried', async () => {
    const { refuseHandshakes, client, establish, last, tokenStore, sockets } = setup({ probe: async () => true });
    const notices: string[] = [];
    client.on('notice', (text) => notices.push(text));
    tokenStore.tokens.set(URL_, 'old');
    client.connect(URL_);
    await refuseHandshakes(3);
    establish({ userId: 'tokenless', token: 't' });
    expect(last().url).toContain('token=old'); // the confirmation handshake, not answered yet

    client.resetIdentity();

    expect(sockets.at(-2)?.closed).toBeDefined();
    expect(last().url).not.toContain('token');
    establish({ userId: 'fresh', token: 'fresh-token' });
    expect(tokenStore.tokens.get(URL_)).toBe('fresh-token');
    expect(client.session?.userId).toBe('fresh');
    expect(notices).toEqual([]);
  });

  it('counts refusals afresh once a handshake with the token opens', async () => {
    const { refuseHandshakes, client, scheduler, last, tokenStore } = setup({ probe: async () => true });
    tokenStore.tokens.set(URL_, 'keep');
    client.connect(URL_);
    await refuseHandshakes(2);
    last().open(); // accepted by $connect, then lost before the session came
    last().drop();
    scheduler.advance(30_000);
    last().drop(); // one refusal: not three in a row
    await flush();
    scheduler.advance(30_000);

    expect(last().url).toContain('token=keep');
  });

  it('keeps the token through server errors that clear up (5xx, 429)', async () => {
    const { refuseHandshakes, client, establish, tokenStore, sockets } = setup({ probe: async () => true });
    const notices: string[] = [];
    client.on('notice', (text) => notices.push(text));
    tokenStore.tokens.set(URL_, 'keep');
    client.connect(URL_);
    await refuseHandshakes(2);
    expect(sockets.map((socket) => socket.url.includes('token=keep'))).toEqual([true, true, true]);
    establish({ userId: 'u1', token: 'keep', resumed: true });
    expect(tokenStore.tokens.get(URL_)).toBe('keep');
    expect(notices).toEqual([]);
  });

  it('keeps the token when a handshake without it fails too, and goes on trying with it', async () => {
    const { refuseHandshakes, client, tokenStore, sockets } = setup({ probe: async () => true });
    tokenStore.tokens.set(URL_, 'keep');
    client.connect(URL_);
    await refuseHandshakes(4); // the server answers HTTP but refuses every handshake: it is broken, not the token
    expect(sockets.map((socket) => socket.url.includes('token=keep'))).toEqual([true, true, true, false, true]);
    expect(tokenStore.tokens.get(URL_)).toBe('keep');
  });

  it('keeps the token when the server is merely unreachable', async () => {
    const { client, scheduler, last, tokenStore, sockets } = setup({ probe: async () => false });
    tokenStore.tokens.set(URL_, 'keep');
    client.connect(URL_);
    last().drop();
    await flush();
    expect(tokenStore.tokens.get(URL_)).toBe('keep');
    scheduler.advance(375);
    expect(sockets).toHaveLength(2);
    expect(last().url).toContain('token=keep');
  });

  it('is renamed by reconnecting with the new name and the same token', () => {
    const { client, establish, last } = setup();
    client.connect(URL_, { name: 'Ada' });
    const first = establish({ token: 'tok' });
    client.setName('Grace');
    expect(first.closed?.code).toBe(1000);
    expect(last().url).toBe('ws://localhost:3001/?token=tok&name=Grace');
  });
});

describe('display name', () => {
  it('is checked in the page with the server own parser', () => {
    for (const bad of ['Ada\u200b', 'Ada\u202e', 'A\ufeffda', 'Ada\u2028Lovelace', 'Ada\u0007', 'x'.repeat(41)]) {
      expect(checkDisplayName(bad).ok).toBe(false);
    }
    expect(checkDisplayName('  Ada  ')).toEqual({ ok: true, name: 'Ada' });
    expect(checkDisplayName('👩‍💻 Zoë')).toEqual({ ok: true, name: '👩‍💻 Zoë' });
    expect(checkDisplayName('   ')).toEqual({ ok: true, name: undefined });
    const zeroWidth = checkDisplayName('Ada\u200b');
    expect(zeroWidth.ok === false && zeroWidth.problem).toMatch(/invisible/);
  });

  it('tries again without a new name the server refuses, and keeps the identity', async () => {
    const { client, scheduler, establish, last, tokenStore } = setup({ probe: async () => true });
    const refused: string[] = [];
    client.on('nameRefused', (name) => refused.push(name));
    client.connect(URL_, { name: 'Ada' });
    establish({ token: 'tok' });
    client.setName('Bad');
    expect(last().url).toBe('ws://localhost:3001/?token=tok&name=Bad');
    last().drop(); // 400: the server refuses the name
    await flush();
    expect(last().url).toBe('ws://localhost:3001/?token=tok');
    establish({ token: 'tok', resumed: true });
    expect(refused).toEqual(['Bad']);
    expect(client.displayName).toBeUndefined();
    expect(tokenStore.tokens.get(URL_)).toBe('tok');

    last().drop();
    scheduler.advance(375);
    expect(last().url).toBe('ws://localhost:3001/?token=tok');
  });

  it('keeps a new name when the handshake without it fails as well', async () => {
    const { client, scheduler, establish, last } = setup({ probe: async () => true });
    const refused: string[] = [];
    client.on('nameRefused', (name) => refused.push(name));
    client.connect(URL_);
    establish({ token: 'tok' });
    client.setName('Grace');
    last().drop();
    await flush();
    expect(last().url).toBe('ws://localhost:3001/?token=tok');
    last().drop();
    await flush();
    scheduler.advance(30_000);
    expect(last().url).toBe('ws://localhost:3001/?token=tok&name=Grace');
    establish({ token: 'tok', resumed: true });
    expect(refused).toEqual([]);
    expect(client.displayName).toBe('Grace');
  });
});

describe('hello', () => {
  it('asks again when the session reply does not come, then reconnects', () => {
    const { client, scheduler, last, sockets } = setup();
    client.connect(URL_);
    const socket = last();
    socket.open();
    scheduler.advance(5000);
    scheduler.advance(5000);
    expect(socket.actions().filter((a) => a === 'hello')).toHaveLength(3);
    scheduler.advance(5000);
    expect(socket.closed?.code).toBe(4000);
    scheduler.advance(500);
    expect(sockets).toHaveLength(2);
  });
});

describe('a late session reply', () => {
  it('to a repeated hello changes nothing: reading goes on and nothing is re-sent', () => {
    const { client, scheduler, last } = setup();
    const reading: boolean[] = [];
    client.connect(URL_);
    const socket = last();
    socket.open();
    scheduler.advance(5000); // no answer yet: hello again
    socket.receive(session({ total: 10 }));
    client.on('reading', (value) => reading.push(value));
    client.teleread();
    socket.receive({ type: 'feed', text: 'abc', cursor: 3, total: 10 });
    const sentBefore = socket.sent.length;

    socket.receive(session({ total: 10 })); // the answer to the second hello
    expect(client.reading).toBe(true);
    expect(reading).toEqual([true]);
    expect(client.feed.content).toBe('abc');
    expect(socket.sent.length).toBe(sentBefore);
    socket.receive({ type: 'feed', text: 'de', cursor: 5, total: 10 });
    expect(client.feed.content).toBe('abcde');
  });

  it('with a new user id is a reset: reading stops and the text starts over', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish({ total: 10 });
    client.teleread();
    socket.receive({ type: 'feed', text: 'abc', cursor: 3, total: 10 });
    client.resetIdentity();
    socket.receive(session({ userId: 'u2', token: 't2', total: 10 }));
    expect(client.reading).toBe(false);
    expect(client.feed.content).toBe('');
    expect(client.session?.userId).toBe('u2');
  });
});

describe('gateway errors', () => {
  const internal = JSON.stringify({ message: 'Internal server error', connectionId: 'c1', requestId: 'r1' });

  it('are recognised although they have no type', () => {
    expect(parseGatewayError(internal)).toEqual({
      message: 'Internal server error',
      connectionId: 'c1',
      requestId: 'r1',
    });
    expect(
      parseGatewayError(JSON.stringify({ message: 'Forbidden', connectionId: 'c1', requestId: 'r2' }))?.message,
    ).toBe('Forbidden');
    expect(parseGatewayError(JSON.stringify({ type: 'error', message: 'x' }))).toBeUndefined();
    expect(parseGatewayError('not json')).toBeUndefined();
    expect(describeGatewayError('Internal server error')).not.toContain('Internal server error');
    expect(describeGatewayError('Forbidden')).not.toContain('Forbidden');
  });

  it('settle what was waiting: a publish is sent once more and fails on a second error, a chat message offers Retry', () => {
    const { client, scheduler, establish } = setup();
    const gateway: string[] = [];
    const failed: Array<{ id: string; topic: string }> = [];
    client.on('gatewayError', (frame) => gateway.push(frame.message));
    client.on(
      'publishOutcome',
      (outcome) => outcome.status === 'failed' && failed.push({ id: outcome.id, topic: outcome.topic }),
    );
    client.connect(URL_);
    const socket = establish();
    const { id } = client.publish('news', 'hello');
    const chat = client.sendChat('hi')!;

    socket.receiveRaw(internal);
    expect(gateway).toEqual(['Internal server error']);
    expect(failed).toEqual([]);
    expect(socket.sent.filter((frame) => frame.id === id)).toHaveLength(2);
    expect(client.outbox.list().map((entry) => entry.state)).toEqual(['failed']);
    socket.receiveRaw(internal);
    expect(failed).toEqual([{ id, topic: 'news' }]);
    expect(socket.sent.filter((frame) => frame.id === id)).toHaveLength(2);

    client.retryChat(chat.id);
    expect(socket.sent.filter((frame) => frame.id === chat.id)).toHaveLength(2);
    expect(client.outbox.list().map((entry) => entry.state)).toEqual(['sent']);
    socket.drop();
    scheduler.advance(375);
    expect(establish().sent.filter((frame) => frame.action === 'publish')).toEqual([]);
  });
  it('give a publish its one resend again on a new connection', () => {
    const { client, scheduler, establish } = setup();
    const failed: string[] = [];
    client.on('publishOutcome', (outcome) => outcome.status === 'failed' && failed.push(outcome.id));
    client.connect(URL_);
    const first = establish();
    const { id } = client.publish('news', 'hello');
    first.receiveRaw(internal);
    first.drop();
    scheduler.advance(375);
    const second = establish();

    second.receiveRaw(internal);

    expect(failed).toEqual([]);
    expect(second.sent.filter((frame) => frame.id === id)).toHaveLength(2);
  });

  it('keep a publish that was acked after its resend', () => {
    const { client, establish } = setup();
    const failed: string[] = [];
    client.on('publishOutcome', (outcome) => outcome.status === 'failed' && failed.push(outcome.id));
    client.connect(URL_);
    const socket = establish();
    const { id } = client.publish('news', 'hello');

    socket.receiveRaw(internal);
    socket.receive({ type: 'ack', id, topic: 'news', seq: 1 });
    socket.receiveRaw(internal);

    expect(failed).toEqual([]);
    expect(socket.sent.filter((frame) => frame.id === id)).toHaveLength(2);
  });

  it('before the session, leave queued publishes alone: they were not sent yet', () => {
    const { client, last } = setup();
    client.connect(URL_);
    const { id } = client.publish('news', 'queued');
    const socket = last();
    socket.open();
    socket.receiveRaw(internal); // the hello failed; it is asked again
    socket.receive(session());
    expect(socket.sent.filter((frame) => frame.action === 'publish')).toEqual([
      { action: 'publish', topic: 'news', message: 'queued', id },
    ]);
  });
});

describe('heartbeat', () => {
  it('pings on the interval and reconnects when no pong comes back', () => {
    const { client, scheduler, establish, sockets } = setup();
    client.connect(URL_);
    const socket = establish();
    scheduler.advance(1000);
    expect(socket.actions()).toContain('ping');
    socket.receive({ type: 'pong', at: '' });
    scheduler.advance(1000);
    expect(socket.actions().filter((a) => a === 'ping')).toHaveLength(2);
    scheduler.advance(500); // no pong for the second ping
    expect(socket.closed?.code).toBe(4000);
    expect(client.status).toBe('reconnecting');
    scheduler.advance(375);
    expect(sockets).toHaveLength(2);
  });
});

describe('topics', () => {
  it('drops a seq already seen, and messages of topics not subscribed to', () => {
    const { client, establish } = setup();
    const seen: number[] = [];
    client.on('topicMessage', (frame) => seen.push(frame.seq));
    client.connect(URL_);
    const socket = establish();
    client.subscribe('news');
    socket.receive({ type: 'subscribed', topic: 'news', seq: 3 });
    for (const seq of [4, 5, 5, 4, 6]) {
      socket.receive({ type: 'message', topic: 'news', seq, message: seq, from: null, sentAt: '' });
    }
    socket.receive({ type: 'message', topic: 'other', seq: 1, message: 1, from: null, sentAt: '' });
    expect(seen).toEqual([4, 5, 6]);
  });

  it('hands deliveries that arrive out of order over in seq order, and resubscribes from below the first gap', () => {
    const { client, scheduler, establish } = setup();
    const seen: number[] = [];
    client.on('topicMessage', (frame) => seen.push(frame.seq));
    client.connect(URL_);
    const first = establish();
    client.subscribe('news');
    first.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    for (const seq of [2, 1, 2, 4]) {
      first.receive({ type: 'message', topic: 'news', seq, message: seq, from: null, sentAt: '' });
    }
    expect(seen).toEqual([1, 2]);
    first.drop();
    scheduler.advance(375);
    const second = establish({ resumed: true });
    expect(second.sent.filter((f) => f.action === 'subscribe')).toEqual([
      { action: 'subscribe', topic: 'news', since: 2 },
    ]);
    for (const seq of [3, 4, 5]) {
      second.receive({ type: 'message', topic: 'news', seq, message: seq, from: null, sentAt: '' });
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('resubscribes after a reconnect with since = the last seq seen per topic', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const first = establish();
    client.subscribe('a');
    client.subscribe('b');
    client.subscribe('c');
    first.receive({ type: 'subscribed', topic: 'a', seq: 0 });
    first.receive({ type: 'subscribed', topic: 'b', seq: 7 });
    first.receive({ type: 'message', topic: 'a', seq: 1, message: 'x', from: null, sentAt: '' });
    first.receive({ type: 'message', topic: 'a', seq: 2, message: 'y', from: null, sentAt: '' });
    client.unsubscribe('c');
    first.drop();
    scheduler.advance(375);
    const second = establish({ resumed: true });
    const subscribes = second.sent.filter((frame) => frame.action === 'subscribe');
    expect(subscribes).toEqual([
      { action: 'subscribe', topic: 'a', since: 2 },
      { action: 'subscribe', topic: 'b', since: 7 },
    ]);
  });

  it('keeps a publish until it is acknowledged and re-sends it with the same id', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const first = establish();
    const { id } = client.publish('a', { n: 1 });
    expect(first.sent.at(-1)).toEqual({ action: 'publish', topic: 'a', message: { n: 1 }, id });
    first.drop();
    scheduler.advance(375);
    const second = establish();
    expect(second.sent.filter((f) => f.action === 'publish')).toEqual([
      { action: 'publish', topic: 'a', message: { n: 1 }, id },
    ]);
    second.receive({ type: 'ack', id, topic: 'a', seq: 1 });
    second.drop();
    scheduler.advance(375);
    expect(establish().sent.filter((f) => f.action === 'publish')).toEqual([]);
  });
});

describe('chat outbox', () => {
  it('shows a message pending until the server echoes its id', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const entry = client.sendChat('  hello  ');
    expect(socket.sent.at(-1)).toEqual({ action: 'sendmessage', message: 'hello', id: entry?.id });
    expect(client.outbox.list().map((e) => e.state)).toEqual(['sent']);

    const delivered: boolean[] = [];
    client.on('chat', ({ own }) => delivered.push(own));
    socket.receive({
      type: 'chat',
      room: 'lobby',
      id: entry!.id,
      seq: 1,
      message: 'hello',
      from: { userId: 'u1', name: 'Ada' },
      sentAt: '',
    });
    expect(client.outbox.size).toBe(0);
    expect(delivered).toEqual([true]);
  });

  it('hands a chat message delivered twice (a retried fan-out worker) to the application once', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const delivered: number[] = [];
    client.on('chat', ({ frame }) => delivered.push(frame.seq));
    const chat = (seq: number) => ({
      type: 'chat' as const,
      room: 'lobby',
      id: `m${seq}`,
      seq,
      message: 'hi',
      from: { userId: 'u2', name: 'Bo' },
      sentAt: '',
    });

    socket.receive(chat(7));
    socket.receive(chat(8));
    socket.receive(chat(7));

    expect(delivered).toEqual([7, 8]);
  });

  it('queues while disconnected and sends on reconnect, re-sending what was unconfirmed with the same id', () => {
    const { client, scheduler, establish, last } = setup();
    client.connect(URL_);
    const first = establish();
    const a = client.sendChat('one')!;
    first.drop();
    const b = client.sendChat('two')!;
    expect(client.outbox.list().map((e) => e.state)).toEqual(['queued', 'queued']);

    scheduler.advance(375);
    const second = last();
    second.open();
    expect(second.actions()).toEqual(['hello']); // nothing before the session is back
    second.receive(session({ resumed: true }));
    const chats = second.sent.filter((f) => f.action === 'sendmessage');
    expect(chats).toEqual([
      { action: 'sendmessage', message: 'one', id: a.id },
      { action: 'sendmessage', message: 'two', id: b.id },
    ]);
    expect(second.actions().indexOf('history')).toBeLessThan(second.actions().indexOf('sendmessage'));
  });

  it('takes a message the history already has as confirmed', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const a = client.sendChat('one')!;
    socket.receive({
      type: 'history',
      room: 'lobby',
      messages: [
        {
          type: 'chat',
          room: 'lobby',
          id: a.id,
          seq: 4,
          message: 'one',
          from: { userId: 'u1', name: 'Ada' },
          sentAt: '',
        },
      ],
    });
    expect(client.outbox.size).toBe(0);
  });

  it('re-sends unconfirmed messages after a rate_limited error', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const a = client.sendChat('one')!;
    socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', action: 'sendmessage' });
    scheduler.advance(1500);
    expect(socket.sent.filter((f) => f.id === a.id)).toHaveLength(2);
  });
});

describe('chat text', () => {
  it('refuses in the page what the server would refuse, and keeps line breaks and tabs', () => {
    expect(checkChatText('  two\r\n\tlines ')).toEqual({ ok: true, text: 'two\n\tlines' });
    expect(checkChatText('   ')).toEqual({ ok: false, problem: undefined });
    expect(checkChatText('invoice\u202egnp.exe')).toEqual({
      ok: false,
      problem: expect.stringContaining('direction mark'),
    });
    expect(checkChatText('x'.repeat(2001))).toEqual({
      ok: false,
      problem: 'A chat message can be at most 2000 characters.',
    });
  });
});

describe('topic messages', () => {
  it('refuses in the page what the server would refuse', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 33; level += 1) deep = [deep];

    expect(checkTopicMessage({ text: 'two\nlines', n: [1, 2] })).toBeUndefined();
    expect(checkTopicMessage(deep)).toContain('nests more than 32 levels');
    expect(checkTopicMessage({ text: 'bell\u0007' })).toContain('control character');
    expect(checkTopicMessage('x'.repeat(17 * 1024))).toContain('too large');
  });
});

describe('pages of who and history', () => {
  const user = (userId: string, connections = 1) => ({ userId, name: userId, connections });

  it('follows the who cursor and shows everyone once the last page has come, adding up split users', () => {
    const { client, establish } = setup();
    const shown: unknown[] = [];
    client.on('who', (frame) => shown.push(frame.users));
    client.connect(URL_);
    const socket = establish();

    socket.receive({ type: 'who', room: 'lobby', users: [user('a'), user('b')], cursor: 'v1.chat.c2=' });
    const shownAfterFirstPage = shown.length;
    socket.receive({ type: 'who', room: 'lobby', users: [user('b', 2), user('c')] });

    expect(socket.sent.filter((frame) => frame.action === 'who')).toEqual([
      { action: 'who' },
      { action: 'who', cursor: 'v1.chat.c2=' },
    ]);
    expect(shownAfterFirstPage).toBe(0);
    expect(shown).toEqual([[user('a'), user('b', 3), user('c')]]);
  });

  it('asks again after the pages being gathered when who is asked meanwhile, and never mixes them', () => {
    const { client, establish } = setup();
    const shown: unknown[] = [];
    client.on('who', (frame) => shown.push(frame.users));
    client.connect(URL_);
    const socket = establish();

    socket.receive({ type: 'who', room: 'lobby', users: [user('a')], cursor: 'v1.chat.c1=' });
    client.requestWho();
    socket.receive({ type: 'who', room: 'lobby', users: [user('b')] });
    socket.receive({ type: 'who', room: 'lobby', users: [user('a'), user('b'), user('c')] });

    expect(socket.sent.filter((frame) => frame.action === 'who')).toHaveLength(3);
    expect(shown).toEqual([
      [user('a'), user('b')],
      [user('a'), user('b'), user('c')],
    ]);
  });

  it('asks for the rest of the history with `before` when a reply stopped early', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const chat = (seq: number) => ({
      type: 'chat' as const,
      room: 'lobby',
      id: `m${seq}`,
      seq,
      message: 'x',
      from: { userId: 'u2', name: 'Bob' },
      sentAt: '',
    });

    socket.receive({ type: 'history', room: 'lobby', messages: [chat(41), chat(42), chat(43)], before: 41 });
    socket.receive({ type: 'history', room: 'lobby', messages: [chat(39), chat(40)] });

    expect(socket.sent.filter((frame) => frame.action === 'history')).toEqual([
      { action: 'history', limit: 50 },
      { action: 'history', limit: 47, before: 41 },
    ]);
  });
});

describe('tele-read', () => {
  it('sends teleread again after a reconnect when the user was reading, and trims repeats', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const first = establish({ total: 10 });
    client.teleread();
    first.receive({ type: 'feed', text: 'abc', cursor: 3, total: 10 });
    first.receive({ type: 'feed', text: 'd', cursor: 4, total: 10 });
    first.drop();
    scheduler.advance(375);
    const second = establish({ resumed: true, cursor: 3, total: 10 });
    expect(second.actions()).toContain('teleread');
    second.receive({ type: 'feed', text: 'd', cursor: 4, total: 10 });
    second.receive({ type: 'feed', text: 'efghij', cursor: 10, total: 10 });
    second.receive({ type: 'feed-end', cursor: 10, total: 10 });
    expect(client.feed.content).toBe('abcdefghij');
    expect(client.reading).toBe(false);
  });

  it('resumes after the text the page holds, even when the server saved a later cursor', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const first = establish({ total: 10 });
    client.teleread();
    first.receive({ type: 'feed', text: 'abc', cursor: 3, total: 10 });
    first.drop();
    scheduler.advance(375);

    const second = establish({ resumed: true, cursor: 5, total: 10 });

    expect(first.sent.find((frame) => frame.action === 'teleread')).toEqual({ action: 'teleread', cursor: 0 });
    expect(second.sent.find((frame) => frame.action === 'teleread')).toEqual({ action: 'teleread', cursor: 3 });
  });

  it('does not resume reading that was stopped', () => {
    const { client, scheduler, establish } = setup();
    client.connect(URL_);
    const first = establish();
    client.teleread();
    client.stopReading();
    expect(first.actions().slice(-2)).toEqual(['teleread', 'stop']);
    first.drop();
    scheduler.advance(375);
    expect(establish({ resumed: true }).actions()).not.toContain('teleread');
  });
});

describe('endpoint and errors', () => {
  it('prefers ?ws= over the remembered URL over config.json over the local default', () => {
    expect(resolveWsUrl({ query: 'ws://q', remembered: 'ws://r', config: 'ws://c' })).toBe('ws://q');
    expect(resolveWsUrl({ query: null, remembered: 'ws://r', config: 'ws://c' })).toBe('ws://r');
    expect(resolveWsUrl({ query: '', remembered: undefined, config: 'ws://c' })).toBe('ws://c');
    expect(resolveWsUrl({})).toBe('ws://localhost:3001');
  });

  it('builds the handshake URL with token and name, keeping the stage path', () => {
    expect(handshakeUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { token: 'a b', name: 'Zoë' })).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod?token=a+b&name=Zo%C3%AB',
    );
  });

  it('says every error code in plain words', () => {
    for (const code of ERROR_CODES) expect(describeError({ code })).not.toContain(code);
    expect(describeError({ code: 'too_many_rooms', action: 'join' })).toMatch(/^While joining a room: /);
    expect(describeError({ code: 'too_large', action: 'sendmessage' })).toMatch(/^While sending a chat message: /);
  });

  it('refuses a URL that is not ws:// or wss:// with a typed error, before opening anything', () => {
    const { client, sockets } = setup();
    expect(() => client.connect('http://example.com')).toThrow(
      expect.objectContaining({ name: 'InvalidUrlError', rule: 'url' }),
    );
    expect(() => client.connect('not a url')).toThrow(
      expect.objectContaining({ name: 'InvalidUrlError', rule: 'url' }),
    );
    expect(client.status).toBe('disconnected');
    expect(sockets).toHaveLength(0);
  });
});
