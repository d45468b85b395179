import { type E2eStack, startE2eStack } from './support/e2e-stack';
import { captureErrorLogs, type ErrorLogCapture } from './support/error-log-capture';
import type { Frame } from './support/test-client';

let e2e: E2eStack;
let errors: ErrorLogCapture;
beforeAll(async () => {
  e2e = await startE2eStack();
  errors = captureErrorLogs();
});
afterAll(async () => {
  errors.stop();
  // The socketless members the who test adds: gone, so that the leaves announced while the stack stops do not
  // post to 1,000 connections after the tests have ended.
  for (let index = 0; index < SEEDED_MEMBERS; index += 1)
    await e2e.remove({ pk: 'SUBS#chat', sk: `CONN#${seededConnection(index)}` });
  await e2e.stop();
});

const SEEDED_MEMBERS = 1000;
const seededConnection = (index: number): string => `seeded${String(index).padStart(4, '0')}=`;
afterEach(() => {
  expect(errors.lines).toEqual([]);
});

const isError = (frame: Frame) => frame.type === 'error';

/** `[[[…1…]]]` with `levels` arrays, as text: a value too deep for a recursive serialiser. */
const deepArray = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

async function http(path: string, method: string, body?: string) {
  const response = await fetch(`${e2e.stack.httpUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('nesting depth', () => {
  it('answers a publish nested 4,100 levels deep with invalid_frame, logs no error, and stays up', async () => {
    const client = await e2e.connect();
    const frames = [
      `{"action":"publish","topic":"t","message":${deepArray(4100)}}`,
      `{"topic":"t","message":${deepArray(4100)}}`,
      `{"action":"sendmessage","message":${deepArray(4100)}}`,
      `{"action":"who","x":${deepArray(4100)}}`,
    ];

    const codes = [];
    for (const frame of frames) codes.push((await client.request(frame, isError)).code);

    expect(codes).toEqual(['invalid_frame', 'invalid_frame', 'invalid_frame', 'invalid_frame']);
    expect((await client.request({ action: 'ping' }, (frame) => frame.type === 'pong')).type).toBe('pong');
  });

  it('takes 32 levels and refuses 33 in a published message', async () => {
    const client = await e2e.connect();

    const ok = await client.request(
      `{"action":"publish","topic":"t","message":${deepArray(32)}}`,
      (frame) => frame.type === 'ack' || isError(frame),
    );
    const refused = await client.request(`{"action":"publish","topic":"t","message":${deepArray(33)}}`, isError);

    expect(ok.type).toBe('ack');
    expect(refused).toMatchObject({ code: 'invalid_frame', action: 'publish' });
  });

  it('answers a deep body over HTTP with 400 invalid_frame, not 500', async () => {
    const topic = await http('/topics/t/messages', 'POST', `{"message":${deepArray(4100)}}`);
    const direct = await http('/users/nobody/messages', 'POST', `{"message":${deepArray(4100)}}`);

    expect(topic).toEqual({ status: 400, body: { code: 'invalid_frame', message: expect.any(String) } });
    expect(direct).toEqual({ status: 400, body: { code: 'invalid_frame', message: expect.any(String) } });
  });
});

describe('text that deceives', () => {
  it.each([
    ['a right-to-left override', 'invoice\u202egnp.exe'],
    ['a NUL', 'a\u0000b'],
    ['a bell', 'ding\u0007'],
  ])('refuses chat text with %s as invalid_frame and delivers nothing', async (_case, text) => {
    const client = await e2e.connect();

    const refused = await client.request({ action: 'sendmessage', message: text }, isError);
    const published = await client.request({ action: 'publish', topic: 'text', message: text }, isError);
    const posted = await http('/topics/text/messages', 'POST', JSON.stringify({ message: { nested: [text] } }));

    expect(refused).toMatchObject({ code: 'invalid_frame', action: 'sendmessage' });
    expect(published).toMatchObject({ code: 'invalid_frame', action: 'publish' });
    expect(posted.status).toBe(400);
    expect(client.frames.filter((frame) => frame.type === 'chat')).toEqual([]);
  });

  it('keeps newlines and tabs in chat text', async () => {
    const client = await e2e.connect();

    const chat = await client.request(
      { action: 'sendmessage', message: 'line one\n\tline two' },
      (frame) => frame.type === 'chat' || isError(frame),
    );

    expect(chat).toMatchObject({ type: 'chat', message: 'line one\n\tline two' });
  });
});

describe('replies within API Gateway limits', () => {
  /** API Gateway refuses an `@connections` post over 128 KB. */
  const POST_LIMIT = 128 * 1024;
  const bytes = (frame: unknown) => Buffer.byteLength(JSON.stringify(frame));

  it('answers history with the newest messages that fit in one post, and a `before` that reaches the rest', async () => {
    const [ada, bob] = await Promise.all([e2e.connect({ name: 'Ada' }), e2e.connect({ name: 'Bob' })]);
    const sent: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const text = `${index} ${'😀'.repeat(1995)}`;
      sent.push(text);
      await (index % 2 ? ada : bob).request(
        { action: 'sendmessage', message: text },
        (frame) => frame.type === 'chat' && frame.message === text,
      );
    }

    const pages: Frame[] = [];
    let before: unknown;
    do {
      const page = await ada.request(
        { action: 'history', limit: 200, ...(before === undefined ? {} : { before }) },
        (frame) => frame.type === 'history' || isError(frame),
      );
      pages.push(page);
      before = page.before;
    } while (before !== undefined && pages.length < 10);
    const texts = pages.reverse().flatMap((page) => (page.messages as Frame[]).map((message) => message.message));
    const seqs = pages.flatMap((page) => (page.messages as Frame[]).map((message) => Number(message.seq)));

    expect(pages[pages.length - 1]?.type).toBe('history');
    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages.map(bytes))).toBeLessThanOrEqual(POST_LIMIT);
    expect(texts.slice(-20)).toEqual(sent);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('pages GET /topics/{t}/messages under 1 MB and gives the `since` of the next page', async () => {
    const payload = JSON.stringify('y'.repeat(15_000));
    for (let seq = 1; seq <= 100; seq += 1) {
      await e2e.put({
        pk: 'MSG#topic:big',
        sk: String(seq).padStart(12, '0'),
        seq,
        id: `m${seq}`,
        payload,
        from: null,
        sentAt: new Date().toISOString(),
      });
    }

    const seqs: number[] = [];
    const sizes: number[] = [];
    let since = 0;
    for (let page = 0; page < 10; page += 1) {
      const response = await fetch(`${e2e.stack.httpUrl}/topics/big/messages?since=${since}&limit=1000`);
      const text = await response.text();
      sizes.push(Buffer.byteLength(text));
      const body = JSON.parse(text) as { messages: Frame[]; next?: number };
      seqs.push(...body.messages.map((message) => Number(message.seq)));
      if (body.next === undefined) break;
      since = body.next;
    }

    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
  });

  // Late in this file: the 1,000 members it adds have no sockets, so every later broadcast posts to them.
  it('pages who: at most 100 members a page, under one post, with a cursor that reaches everyone', async () => {
    const client = await e2e.connect({ name: 'Counter' });
    await client.session();
    const connectedAt = new Date().toISOString();
    const longName = '😀'.repeat(40);
    for (let index = 0; index < SEEDED_MEMBERS; index += 1) {
      const connectionId = seededConnection(index);
      await e2e.put({
        pk: 'SUBS#chat',
        sk: `CONN#${connectionId}`,
        connectionId,
        userId: `seeded-user-${index}`,
        name: longName,
        connectedAt,
      });
    }

    const pages: Frame[] = [];
    let cursor: unknown;
    do {
      const page = await client.request(
        { action: 'who', ...(cursor === undefined ? {} : { cursor }) },
        (frame) => frame.type === 'who' || isError(frame),
      );
      pages.push(page);
      cursor = page.cursor;
    } while (cursor !== undefined && pages.length < 20);
    const users = pages.flatMap((page) => (page.users ?? []) as Frame[]);
    const seeded = new Set(
      users.map((user) => String(user.userId)).filter((userId) => userId.startsWith('seeded-user-')),
    );

    expect(pages.every((page) => page.type === 'who')).toBe(true);
    expect(Math.max(...pages.map((page) => (page.users as Frame[]).length))).toBeLessThanOrEqual(100);
    expect(Math.max(...pages.map(bytes))).toBeLessThanOrEqual(POST_LIMIT);
    expect(seeded.size).toBe(SEEDED_MEMBERS);
  });

  it.each([
    ['garbled', 'not a cursor'],
    ['of another room', 'v1.topic:secret.seeded0001='],
    ['of another version', 'v9.chat.seeded0001='],
    ['with a position that is not a connection', 'v1.chat.USER#x'],
    ['not a string', 42],
  ])('answers a who cursor that is %s with invalid_frame', async (_case, cursor) => {
    const client = await e2e.connect();

    const refused = await client.request({ action: 'who', cursor }, (frame) => frame.type === 'who' || isError(frame));

    expect(refused).toMatchObject({ type: 'error', code: 'invalid_frame', action: 'who' });
  });
});

describe('session history pages', () => {
  it('pages GET /users/{userId}/sessions under 1 MB however long the user agents, with the `before` of the next page', async () => {
    const userAgent = 'Mozilla/5.0 '.repeat(700);
    for (let index = 0; index < 200; index += 1) {
      const at = new Date(Date.UTC(2026, 11, 1, 0, 0, index)).toISOString();
      const connectionId = `s${String(index).padStart(4, '0')}=`;
      await e2e.put({
        pk: 'USER#agent-user',
        sk: `SESSION#${at}#${connectionId}`,
        connectionId,
        connectedAt: at,
        disconnectedAt: at,
        durationMs: 0,
        userAgent,
      });
    }

    const ids: string[] = [];
    const sizes: number[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response = await fetch(
        `${e2e.stack.httpUrl}/users/agent-user/sessions?limit=1000${before ? `&before=${encodeURIComponent(before)}` : ''}`,
      );
      const text = await response.text();
      sizes.push(Buffer.byteLength(text));
      const body = JSON.parse(text) as { sessions: Frame[]; next?: string };
      ids.push(...body.sessions.map((session) => String(session.connectionId)));
      before = body.next;
      if (before === undefined) break;
    }

    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
    expect(ids).toEqual(Array.from({ length: 200 }, (_, index) => `s${String(199 - index).padStart(4, '0')}=`));
  });
});
