import { captureErrorLogs, type ErrorLogCapture } from './support/error-log-capture';
import { startE2eStack, type E2eStack } from './support/e2e-stack';
import type { Frame } from './support/test-client';

let e2e: E2eStack;
let errors: ErrorLogCapture;
beforeAll(async () => {
  e2e = await startE2eStack();
  errors = captureErrorLogs();
});
afterAll(async () => {
  errors.stop();
  await e2e.stop();
});
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

    const ok = await client.request(`{"action":"publish","topic":"t","message":${deepArray(32)}}`, (frame) => frame.type === 'ack' || isError(frame));
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

    const chat = await client.request({ action: 'sendmessage', message: 'line one\n\tline two' }, (frame) => frame.type === 'chat' || isError(frame));

    expect(chat).toMatchObject({ type: 'chat', message: 'line one\n\tline two' });
  });
});
