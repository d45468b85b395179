import { InvalidFrameError } from '../../src/domain/errors';
import { topicChannel } from '../../src/domain/model';
import { readTopic } from '../../src/domain/use-cases/read-topic';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';

async function givenStored(deps: MemoryDependencies, topic: string, payloads: unknown[]): Promise<void> {
  for (const [index, payload] of payloads.entries()) {
    await deps.messages.append(topicChannel(topic), {
      id: `m${index}`,
      payload,
      from: null,
      sentAt: new Date(0).toISOString(),
      publisher: 'http-api',
    });
  }
}

describe('readTopic', () => {
  it('gives the `since` of the next page when it stops at `limit`, and none at the end', async () => {
    const deps = createMemoryDependencies();
    await givenStored(deps, 'news', ['a', 'b', 'c', 'd', 'e']);

    const first = await readTopic(deps, 'news', 0, 2);
    const second = await readTopic(deps, 'news', Number(first.next), 2);
    const last = await readTopic(deps, 'news', Number(second.next), 2);

    expect(first.messages.map((message) => (message.type === 'message' ? message.message : message.type))).toEqual([
      'a',
      'b',
    ]);
    expect([first.next, second.next, last.next]).toEqual([2, 4, undefined]);
    expect(last.messages.map((message) => message.seq)).toEqual([5]);
  });

  it('stops under 1 MB however many messages `limit` allows', async () => {
    const deps = createMemoryDependencies();
    await givenStored(
      deps,
      'big',
      Array.from({ length: 150 }, () => 'z'.repeat(16_000)),
    );

    const page = await readTopic(deps, 'big', 0, 1000);

    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(1024 * 1024);
    expect(page.next).toBe(page.messages.at(-1)?.seq);
    expect(page.messages.length).toBeGreaterThan(50);
  });

  it('refuses a topic name outside the rules', async () => {
    await expect(readTopic(createMemoryDependencies(), 'two words', 0, 10)).rejects.toBeInstanceOf(InvalidFrameError);
  });
});
