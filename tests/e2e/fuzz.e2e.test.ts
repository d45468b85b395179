import fc from 'fast-check';
import { type E2eStack, startE2eStack } from './support/e2e-stack';
import { captureErrorLogs, type ErrorLogCapture } from './support/error-log-capture';
import type { Frame, TestClient } from './support/test-client';

// A bounded, seeded fuzz run through the whole local stack: real `ws` clients send a few thousand frames
// made of every action and every field, with wrong types, malformed JSON, and huge, deep and odd values.
// Set FUZZ_SEED to replay a failing run (the seed is in the test's name).
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const WS_FRAMES = Number(process.env.FUZZ_FRAMES ?? 2500);
const HTTP_REQUESTS = 250;
const CLIENTS = 6;
const BATCH = 50;
/** Under API Gateway's 32 KB frame limit, which closes the connection (that rule is tested elsewhere). */
const MAX_FRAME_BYTES = 32 * 1024;

let e2e: E2eStack;
let errors: ErrorLogCapture;
beforeAll(async () => {
  // A slow tele-read pace, so that the article streams started by the fuzz do not swamp the run.
  e2e = await startE2eStack({ FEED_INTERVAL_MS: '200' });
  errors = captureErrorLogs();
});
afterAll(async () => {
  errors.stop();
  await e2e.stop();
});

const ACTIONS = [
  'hello',
  'ping',
  'subscribe',
  'unsubscribe',
  'publish',
  'sendmessage',
  'send',
  'history',
  'who',
  'teleread',
  'teleprinter',
  'stop',
  'reset',
  'join',
  'leave',
] as const;
const FIELDS = ['topic', 'since', 'message', 'id', 'limit', 'before', 'cursor', 'room', 'name'] as const;

const deep = (levels: number, open: string, close: string) => `${open.repeat(levels)}1${close.repeat(levels)}`;

/** Strings a handler may choke on: controls, bidi overrides, lone surrogates, `__proto__`, huge ones. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u0007',
    '\u202e',
    '\ud800',
    '\udc00x',
    '__proto__',
    'kitchen',
    'constructor',
    'toString',
    '../..',
    'a/b:c.d',
    'news',
    'chat',
    't',
  ),
  // Cursors of `who` and of the sessions history, real-looking and forged.
  fc.constantFrom(
    'v1.chat.Gg3GqdpYIAMCJOg=',
    'v1.chat.',
    'v1.topic:t.x=',
    'v1.chat.CONN#x',
    'v1.room:kitchen.Gg3GqdpYIAMCJOg=',
    '2026-12-01T00:00:00.000Z~c1=',
    '2026-12-01T00:00:00.000Z~',
  ),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.integer({ min: 1, max: 20_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 1, max: 5000 }).map((length) => '😀'.repeat(length)),
);
const oddNumber = fc.oneof(
  fc.integer({ min: -3, max: 300 }),
  fc.constantFrom(
    0,
    -0,
    1.5,
    -1,
    1e21,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 53 * 4,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: oddString },
  { weight: 3, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) },
);

/** A frame as an object: one action (or none, or an unknown one) and any subset of the fields. */
const objectFrame = fc
  .record({
    action: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom<unknown>(...ACTIONS) },
      { weight: 1, arbitrary: oddValue },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    fields: fc.dictionary(fc.constantFrom(...FIELDS), oddValue, { maxKeys: 4 }),
    extra: fc.option(fc.dictionary(oddString, oddValue, { maxKeys: 2 }), { freq: 5 }),
  })
  .map(({ action, fields, extra }) =>
    JSON.stringify({ ...(extra ?? {}), ...(action === undefined ? {} : { action }), ...fields }),
  );

/** A frame as text that is not a valid object: malformed JSON, other JSON values, deep nesting. */
const textFrame = fc.oneof(
  objectFrame.chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc
    .tuple(
      fc.constantFrom('publish', 'sendmessage', 'history', 'who'),
      fc.integer({ min: 30, max: 5000 }),
      fc.boolean(),
    )
    .map(
      ([action, levels, arrays]) =>
        `{"action":"${action}","topic":"t","message":${arrays ? deep(levels, '[', ']') : deep(levels, '{"a":', '}')}}`,
    ),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '{}',
    '[]',
    '{"action":null}',
    '{"action":"__proto__"}',
    '{"__proto__":{"action":"who"}}',
    '{"topic":"t"}',
    '"\\ud800"',
  ),
);

/** Well-formed frames of every action, mixed in so that every use case runs (and changes state) under any seed. */
const validFrame = fc
  .constantFrom(
    { action: 'hello' },
    { action: 'ping' },
    { action: 'subscribe', topic: 't', since: 0 },
    { action: 'unsubscribe', topic: 't' },
    { action: 'publish', topic: 't', message: { n: 1, text: 'hi' }, id: 'same-id' },
    { topic: 't', message: 'seed-style' },
    { action: 'sendmessage', message: 'hello\n\tthere' },
    { action: 'send', message: 'hi', id: 'chat-id' },
    { action: 'history', limit: 200 },
    { action: 'who' },
    { action: 'teleread', cursor: 0 },
    { action: 'teleprinter' },
    { action: 'stop' },
    { action: 'reset' },
    { action: 'join', room: 'kitchen', name: 'Cook' },
    { action: 'leave', room: 'kitchen' },
    { action: 'sendmessage', message: 'in the kitchen', room: 'kitchen' },
    { action: 'who', room: 'kitchen' },
    // Well-formed, and refused for its size alone.
    { action: 'sendmessage', message: 'x'.repeat(2001) },
  )
  .map((frame) => JSON.stringify(frame));

const wsFrame = fc
  .oneof(
    { weight: 6, arbitrary: objectFrame },
    { weight: 3, arbitrary: textFrame },
    { weight: 1, arbitrary: validFrame },
  )
  .filter((text) => Buffer.byteLength(text) <= MAX_FRAME_BYTES);

/** A query value, percent-encoded (lone surrogates become U+FFFD first), or a broken escape. */
const queryValue = fc.oneof(
  oddString.map((text) => encodeURIComponent(Buffer.from(text.slice(0, 50)).toString('utf8'))),
  oddNumber.map(String),
  fc.constantFrom('%ZZ', '%', '%00', '%E2%80%AE'),
);

const httpRequest = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/topics/t/messages', '/topics/news/messages', '/users/nobody/messages'),
    body: fc.oneof(objectFrame, textFrame),
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(
        fc.constantFrom('/topics/t/messages', '/topics/news/messages', '/users/nobody/sessions'),
        queryValue,
        queryValue,
        queryValue,
      )
      .map(([path, since, limit, before]) => `${path}?since=${since}&limit=${limit}&before=${before}`),
    body: fc.constant(undefined),
  }),
);

/** Waits for a pong on every client: each has answered every frame it was sent before the ping. */
async function settle(clients: TestClient[]): Promise<void> {
  await Promise.all(
    clients.map((client) => client.request({ action: 'ping' }, (frame) => frame.type === 'pong', 20_000)),
  );
}

const internalErrors = (clients: TestClient[]) =>
  clients.flatMap((client) =>
    client.frames.filter((frame: Frame) => frame.type === 'error' && frame.code === 'internal'),
  );

describe(`fuzzing the local stack (seed ${SEED})`, () => {
  it(`answers ${WS_FRAMES} fuzzed frames and ${HTTP_REQUESTS} fuzzed HTTP requests without an internal error or an ERROR log, and still answers ping`, async () => {
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, index) =>
        e2e.connect(index % 2 ? { name: `fuzz ${index}`, topicName: 't' } : {}),
      ),
    );
    for (const client of clients) await client.session();
    const frames = fc.sample(wsFrame, { seed: SEED, numRuns: WS_FRAMES });
    const requests = fc.sample(httpRequest, { seed: SEED, numRuns: HTTP_REQUESTS });

    for (let start = 0; start < frames.length; start += BATCH) {
      for (const [index, frame] of frames.slice(start, start + BATCH).entries())
        clients[(start + index) % CLIENTS]?.send(frame);
      await settle(clients);
    }
    const statuses: number[] = [];
    for (const { method, path, body } of requests) {
      const response = await fetch(`${e2e.stack.httpUrl}${path}`, { method, ...(body === undefined ? {} : { body }) });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    for (const client of clients) client.send({ action: 'stop' });
    await settle(clients);
    const survivor = await e2e.connect();
    const answered = new Set(
      clients.flatMap((client) =>
        client.frames.map((frame) => (frame.type === 'error' ? `error:${String(frame.code)}` : String(frame.type))),
      ),
    );

    // The run reached every use case and every kind of refusal, not only the JSON parser.
    expect([...answered].sort()).toEqual(
      expect.arrayContaining([
        'ack',
        'chat',
        'history',
        'who',
        'subscribed',
        'session',
        'feed',
        'error:invalid_json',
        'error:invalid_frame',
        'error:unknown_action',
        'error:too_large',
      ]),
    );
    expect(internalErrors(clients)).toEqual([]);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(errors.lines).toEqual([]);
    expect(clients.map((client) => client.closeCode)).toEqual(clients.map(() => undefined));
    expect(await survivor.request({ action: 'ping' }, (frame) => frame.type === 'pong')).toMatchObject({
      type: 'pong',
    });
  }, 120_000);
});
