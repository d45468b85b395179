import { ClientError, InvalidFrameError, TooLargeError } from '../../src/domain/errors';
import { topicChannel } from '../../src/domain/model';
import { publish } from '../../src/domain/use-cases/publish';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

const ADA = { userId: 'user-ada', name: 'Ada' };

describe('publish', () => {
  it('numbers the messages of a topic 1, 2, 3, ... and each topic on its own', async () => {
    const deps = createMemoryDependencies();

    const seqs = [];
    for (const message of ['a', 'b', 'c']) seqs.push((await publish(deps, { topic: 'news', message, from: ADA })).seq);
    const other = await publish(deps, { topic: 'sport', message: 'x', from: ADA });

    expect(seqs).toEqual([1, 2, 3]);
    expect(other.seq).toBe(1);
  });

  it('hands out gap-free seqs to concurrent publishes', async () => {
    const deps = createMemoryDependencies();

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => publish(deps, { topic: 'news', message: index, from: ADA })),
    );

    expect(results.map((result) => result.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('delivers a message frame to every subscriber of the topic and to no one else', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'listener', { topicName: 'news' });
    await givenConnected(deps, 'bystander');
    deps.notifier.clear();

    const result = await publish(deps, { topic: 'news', message: { headline: 'hi' }, id: 'm1', from: ADA });

    expect(result).toMatchObject({ topic: 'news', seq: 1, id: 'm1', duplicate: false, fanOut: { delivered: 1 } });
    expect(deps.notifier.framesFor('listener')).toEqual([
      {
        type: 'message',
        topic: 'news',
        message: { headline: 'hi' },
        seq: 1,
        from: 'user-ada',
        sentAt: deps.clock.now().toISOString(),
      },
    ]);
    expect(deps.notifier.framesFor('bystander')).toEqual([]);
  });

  it('marks a back-end publish as from null', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'listener', { topicName: 'news' });

    await publish(deps, { topic: 'news', message: 'from the API', from: null });

    expect(deps.notifier.framesOfType('listener', 'message')[0]?.from).toBeNull();
  });

  it('generates an id when the publisher gives none', async () => {
    const deps = createMemoryDependencies();

    const first = await publish(deps, { topic: 'news', message: 1, from: ADA });
    const second = await publish(deps, { topic: 'news', message: 2, from: ADA });

    expect(first.id).not.toBe(second.id);
    expect(second.duplicate).toBe(false);
  });

  it('answers a repeated id with the original seq, and neither stores nor delivers it again', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'listener', { topicName: 'news' });
    await publish(deps, { topic: 'news', message: 'first', id: 'm1', from: ADA });
    await publish(deps, { topic: 'news', message: 'second', id: 'm2', from: ADA });
    deps.notifier.clear();

    const repeat = await publish(deps, { topic: 'news', message: 'first again', id: 'm1', from: ADA });

    expect(repeat).toMatchObject({ seq: 1, id: 'm1', duplicate: true, fanOut: { delivered: 0 } });
    expect(deps.notifier.sent).toEqual([]);
    expect(deps.messages.stored(topicChannel('news')).map((message) => message.payload)).toEqual(['first', 'second']);
  });

  it('treats the same id from another publisher as a new message', async () => {
    const deps = createMemoryDependencies();
    await publish(deps, { topic: 'news', message: 'from Ada', id: 'm1', from: ADA });

    const fromBob = await publish(deps, {
      topic: 'news',
      message: 'from Bob',
      id: 'm1',
      from: { userId: 'user-bob', name: 'Bob' },
    });

    expect(fromBob).toMatchObject({ seq: 2, duplicate: false });
  });

  it('accepts a message of exactly 16 KB once serialised', async () => {
    const deps = createMemoryDependencies();
    const message = 'x'.repeat(16 * 1024 - 2);

    const result = await publish(deps, { topic: 'news', message, from: ADA });

    expect(result.seq).toBe(1);
  });

  it('refuses a message over 16 KB once serialised with too_large, and stores nothing', async () => {
    const deps = createMemoryDependencies();
    const message = { text: 'x'.repeat(16 * 1024) };

    const attempt = publish(deps, { topic: 'news', message, from: ADA });

    await expect(attempt).rejects.toBeInstanceOf(TooLargeError);
    await expect(attempt).rejects.toMatchObject({ code: 'too_large' });
    expect(await deps.messages.latestSeq(topicChannel('news'))).toBe(0);
  });

  it.each(['', 'two words', 'ünïcode', 'a'.repeat(129)])('refuses the topic %j with invalid_frame', async (topic) => {
    const deps = createMemoryDependencies();

    const attempt = publish(deps, { topic, message: 'hi', from: ADA });

    await expect(attempt).rejects.toBeInstanceOf(InvalidFrameError);
    await expect(attempt).rejects.toBeInstanceOf(ClientError);
    expect(deps.ids.issued).toBe(0);
  });
});
