import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageLog } from '../../src/adapters/dynamodb/dynamodb-message-log';
import type { MessageDraft } from '../../src/domain/ports/message-log';
import { ManualClock, startEmbeddedTable, type EmbeddedTable } from '../support/embedded-table';

const HOUR = 3600 * 1000;
let embedded: EmbeddedTable;
let clock: ManualClock;
let log: DynamoDbMessageLog;
let channelCount = 0;
let channel: string;

function draft(id: string, payload: unknown = { id }, publisher = 'user-1'): MessageDraft {
  return { id, payload, from: null, sentAt: clock.now().toISOString(), publisher };
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  log = new DynamoDbMessageLog(embedded.table, { messageTtlSeconds: 24 * 3600, duplicateWaitMs: 2000 });
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

  it('fills the seq of a publisher that stopped after taking it, when the id is retried', async () => {
    await log.append(channel, draft('before'));
    // A publisher took seq 2 and wrote it into its claim, then stopped before storing the message.
    await embedded.table.client.send(new UpdateCommand({
      TableName: embedded.table.tableName, Key: { pk: `CHAN#${channel}`, sk: 'SEQ' },
      UpdateExpression: 'ADD seq :one', ExpressionAttributeValues: { ':one': 1 },
    }));
    await embedded.table.client.send(new PutCommand({
      TableName: embedded.table.tableName,
      Item: { pk: `CHAN#${channel}`, sk: 'ID#user-1#crashed', seq: 2, expiresAt: Math.floor(clock.now().getTime() / 1000) + 3600 },
    }));

    const retry = await log.append(channel, draft('crashed', 'finally'));
    const after = await log.append(channel, draft('after'));

    expect(retry).toMatchObject({ duplicate: true, message: { seq: 2, payload: 'finally' } });
    expect((await log.readAfter(channel, 0, 10)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(after.message.seq).toBe(3);
  });

  it('round-trips any JSON payload exactly', async () => {
    const payloads = [null, 0, '', 'text', [1, [2]], { nested: { empty: '', big: 1.5e300, list: [] } }, true];
    for (const [i, payload] of payloads.entries()) await log.append(channel, draft(`p-${i}`, payload));

    const stored = await log.readAfter(channel, 0, 100);

    expect(stored.map((message) => message.payload)).toEqual(payloads);
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
    expect((await log.readAfter(channel, 0, 10)).map((m) => m.id)).toEqual(['new']);
  });
});
