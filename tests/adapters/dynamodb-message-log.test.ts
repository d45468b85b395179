import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageLog } from '../../src/adapters/dynamodb/dynamodb-message-log';
import type { StoredMessage } from '../../src/domain/model';
import type { MessageDraft } from '../../src/domain/ports/message-log';
import { publish } from '../../src/domain/use-cases/publish';
import { subscribe } from '../../src/domain/use-cases/subscribe';
import { givenConnected } from '../domain/given';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';

const HOUR = 3600 * 1000;
let embedded: EmbeddedTable;
let clock: ManualClock;
let log: DynamoDbMessageLog;
let channelCount = 0;
let channel: string;

class Crash extends Error {}

/** The same log over a client that throws (as a killed process stops) at the first request `at` matches. */
function logCrashingAt(at: (command: unknown) => boolean): DynamoDbMessageLog {
  return logWith(async (command, send) => {
    if (at(command)) throw new Crash('killed here');
    return send(command);
  });
}

/** The same log over a client that holds the first request `at` matches until `until` settles. */
function logPausingAt(at: (command: unknown) => boolean, until: Promise<void>): DynamoDbMessageLog {
  let paused = false;
  return logWith(async (command, send) => {
    if (!paused && at(command)) {
      paused = true;
      await until;
    }
    return send(command);
  });
}

function logWith(
  intercept: (command: unknown, send: (command: unknown) => Promise<unknown>) => Promise<unknown>,
): DynamoDbMessageLog {
  const real = embedded.table.client;
  const send = (command: unknown) => real.send(command as Parameters<typeof real.send>[0]);
  const client = { send: (command: unknown) => intercept(command, send) } as unknown as typeof real;
  return new DynamoDbMessageLog({ ...embedded.table, client }, { messageTtlSeconds: 24 * 3600, duplicateWaitMs: 300 });
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

function draft(id: string, payload: unknown = { id }, publisher = 'user-1'): MessageDraft {
  return { id, payload, from: null, sentAt: clock.now().toISOString(), publisher };
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  log = new DynamoDbMessageLog(embedded.table, { messageTtlSeconds: 24 * 3600, duplicateWaitMs: 300 });
});
afterAll(() => embedded.stop());
beforeEach(() => {
  channelCount += 1;
  channel = `topic:log-${channelCount}`;
});

describe('DynamoDbMessageLog', () => {
  it('numbers messages 1, 2, 3 per channel', async () => {
    const seqs = [];
    for (const id of ['a', 'b', 'c']) seqs.push((await log.append(channel, draft(id))).message.seq);
    const other = await log.append(`${channel}-other`, draft('x'));

    expect(seqs).toEqual([1, 2, 3]);
    expect(other.message.seq).toBe(1);
    expect(await log.latestSeq(channel)).toBe(3);
  });

  it('gives concurrent publishers every seq exactly once, with no gap', async () => {
    const appends = Array.from({ length: 200 }, (_, i) => log.append(channel, draft(`m-${i}`)));

    const seqs = (await Promise.all(appends)).map((result) => result.message.seq).sort((a, b) => a - b);

    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await log.readAfter(channel, 0, 1000);
    expect(stored.map((message) => message.seq)).toEqual(seqs);
  });

  it('stores a repeated id once and answers the original seq', async () => {
    await log.append(channel, draft('first'));
    const original = await log.append(channel, draft('dup', 'original text'));

    const repeat = await log.append(channel, draft('dup', 'changed text'));
    const sameIdOtherPublisher = await log.append(channel, draft('dup', 'theirs', 'user-2'));

    expect(original.duplicate).toBe(false);
    expect(repeat).toEqual({ duplicate: true, message: original.message });
    expect(sameIdOtherPublisher.duplicate).toBe(false);
    expect(sameIdOtherPublisher.message.seq).toBe(3);
  });

  it('stores concurrent repeats of one id once', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => log.append(channel, draft('same'))));

    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(new Set(results.map((result) => result.message.seq))).toEqual(new Set([1]));
    expect(await log.readAfter(channel, 0, 10)).toHaveLength(1);
  });

  it('stores a message killed after recording its seq under that seq when the id is retried, as new (to be delivered)', async () => {
    await log.append(channel, draft('before'));
    const crashing = logCrashingAt(
      (command) => command instanceof PutCommand && String(command.input.Item?.sk).match(/^\d{12}$/) !== null,
    );
    await expect(crashing.append(channel, draft('crashed', 'first try'))).rejects.toThrow(Crash);

    const retry = await log.append(channel, draft('crashed', 'finally'));
    const after = await log.append(channel, draft('after'));

    expect(retry).toMatchObject({ duplicate: false, message: { seq: 2, payload: 'finally' } });
    expect(await log.append(channel, draft('crashed', 'again'))).toMatchObject({
      duplicate: true,
      message: { seq: 2, payload: 'finally' },
    });
    expect((await log.readAfter(channel, 0, 10)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(after.message.seq).toBe(3);
  });

  it('answers the retry of a publish killed between drawing its seq and recording it with a new seq, and reports the drawn one as skipped once it is settled', async () => {
    const first = await log.append(channel, draft('pub-130'));
    const crashing = logCrashingAt(
      (command) => command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET seq'),
    );
    await expect(crashing.append(channel, draft('pub-131', 'lost'))).rejects.toThrow(Crash);

    // A retry at once, well inside the 30 s after which an abandoned claim is stale.
    const retry = await log.append(channel, draft('pub-131', 'retried'));
    const early = await log.readAfter(channel, 1, 10);
    clock.advance(61_000);
    const settled = await log.readAfter(channel, 1, 10);

    expect(retry).toMatchObject({ duplicate: false, message: { seq: 3, payload: 'retried' } });
    expect(early).toEqual([retry.message]);
    expect(settled).toEqual([{ channel, seq: 2, skipped: true }, retry.message]);
    expect(await log.readAfter(channel, 0, 10)).toEqual([
      first.message,
      { channel, seq: 2, skipped: true },
      retry.message,
    ]);
    expect(await log.readAfter(channel, 0, 2)).toEqual([first.message, { channel, seq: 2, skipped: true }]);
    expect(await log.readBefore(channel, undefined, 10)).toEqual([first.message, retry.message]);
  });

  it('reports a drawn seq never stored at the end of the log as skipped once settled, and never lets it be filled later', async () => {
    await log.append(channel, draft('one'));
    const crashing = logCrashingAt(
      (command) => command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET seq'),
    );
    await expect(crashing.append(channel, draft('abandoned'))).rejects.toThrow(Crash);

    const before = await log.readAfter(channel, 0, 10);
    clock.advance(61_000);
    const settled = await log.readAfter(channel, 0, 10);

    expect(await log.latestSeq(channel)).toBe(2);
    expect(before.map((entry) => entry.seq)).toEqual([1]);
    expect(settled.map((entry) => [entry.seq, 'skipped' in entry])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('lets a publisher that lost its claim to a retry skip its own seq at once; the message is stored once', async () => {
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = logPausingAt(
      (command) => command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET seq'),
      paused,
    );
    const first = slow.append(channel, draft('slow', 'from the slow one'));
    await waitFor(async () => (await log.latestSeq(channel)) === 1);

    const retry = await log.append(channel, draft('slow', 'from the retry'));
    release();
    const late = await first;

    expect(retry).toMatchObject({ duplicate: false, message: { seq: 2, payload: 'from the retry' } });
    expect(late).toEqual({ duplicate: true, message: retry.message });
    expect(await log.readAfter(channel, 0, 10)).toEqual([{ channel, seq: 1, skipped: true }, retry.message]);
  });

  it('round-trips any JSON payload exactly', async () => {
    const payloads = [null, 0, '', 'text', [1, [2]], { nested: { empty: '', big: 1.5e300, list: [] } }, true];
    for (const [i, payload] of payloads.entries()) await log.append(channel, draft(`p-${i}`, payload));

    const stored = await log.readAfter(channel, 0, 100);

    expect(stored.map((message) => (message as StoredMessage).payload)).toEqual(payloads);
  });

  it('reads after a seq, oldest first, and before a seq, newest last', async () => {
    for (let i = 1; i <= 7; i += 1) await log.append(channel, draft(`r-${i}`));

    expect((await log.readAfter(channel, 4, 10)).map((m) => m.seq)).toEqual([5, 6, 7]);
    expect((await log.readAfter(channel, 2, 2)).map((m) => m.seq)).toEqual([3, 4]);
    expect((await log.readAfter(channel, 9, 10)).map((m) => m.seq)).toEqual([]);
    expect((await log.readBefore(channel, undefined, 3)).map((m) => m.seq)).toEqual([5, 6, 7]);
    expect((await log.readBefore(channel, 5, 3)).map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  it('ignores expired messages on read but keeps numbering after them', async () => {
    await log.append(channel, draft('old'));
    clock.advance(25 * HOUR);

    const next = await log.append(channel, draft('new'));

    expect(next.message.seq).toBe(2);
    expect((await log.readAfter(channel, 0, 10)).map((m) => (m as StoredMessage).id)).toEqual(['new']);
  });
});

describe('publish and replay over DynamoDbMessageLog', () => {
  it('delivers a message whose publisher stopped after numbering it, when its retry stores it', async () => {
    const deps = createMemoryDependencies({ now: clock.now() });
    await givenConnected(deps, 'reader', { topicName: 'repairs' });
    const crashing = logCrashingAt(
      (command) => command instanceof PutCommand && String(command.input.Item?.sk).match(/^\d{12}$/) !== null,
    );
    const publishing = (messages: DynamoDbMessageLog) =>
      publish({ ...deps, messages }, { topic: 'repairs', message: 'hello', id: 'r-1', from: null });
    await expect(publishing(crashing)).rejects.toThrow(Crash);

    const retry = await publishing(log);

    expect(retry).toMatchObject({ seq: 1, duplicate: false, fanOut: { delivered: 1 } });
    expect(deps.notifier.framesOfType('reader', 'message')).toMatchObject([
      { topic: 'repairs', seq: 1, message: 'hello' },
    ]);
  });

  it('replays a skipped seq as a skipped frame, so that a resubscriber does not wait for it', async () => {
    const deps = { ...createMemoryDependencies({ now: clock.now() }), messages: log };
    await givenConnected(deps as never, 'late');
    const send = (id: string) => publish(deps, { topic: 'gaps', message: id, id, from: null });
    await send('g-1');
    const crashing = logCrashingAt(
      (command) => command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET seq'),
    );
    await expect(
      publish({ ...deps, messages: crashing }, { topic: 'gaps', message: 'lost', id: 'g-2', from: null }),
    ).rejects.toThrow(Crash);
    await send('g-3');
    clock.advance(61_000);

    await subscribe(deps, { connectionId: 'late', topic: 'gaps', since: 1 });

    expect(deps.notifier.framesFor('late').filter((frame) => frame.type !== 'presence')).toEqual([
      { type: 'subscribed', topic: 'gaps', seq: 3 },
      { type: 'skipped', topic: 'gaps', seq: 2 },
      expect.objectContaining({ type: 'message', topic: 'gaps', seq: 3, message: 'g-3' }),
    ]);
  });
});
