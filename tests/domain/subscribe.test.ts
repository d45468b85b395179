import { NotSubscribedError, TooManySubscriptionsError, UnauthorizedError } from '../../src/domain/errors';
import { topicChannel } from '../../src/domain/model';
import { publish } from '../../src/domain/use-cases/publish';
import { subscribe, unsubscribe } from '../../src/domain/use-cases/subscribe';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

async function givenPublished(deps: MemoryDependencies, topic: string, count: number): Promise<void> {
  for (let index = 1; index <= count; index += 1) {
    await publish(deps, { topic, message: `m${index}`, from: null });
  }
}

describe('subscribe', () => {
  it('subscribes and answers subscribed with the topic’s latest seq', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    await givenPublished(deps, 'news', 3);
    deps.notifier.clear();

    await subscribe(deps, { connectionId: 'c1', topic: 'news' });

    expect(await deps.subscriptions.isSubscribed(topicChannel('news'), 'c1')).toBe(true);
    expect(deps.notifier.framesFor('c1')).toEqual([{ type: 'subscribed', topic: 'news', seq: 3 }]);
  });

  it('with since, sends subscribed first and then replays exactly the missed messages in order', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    await givenPublished(deps, 'news', 5);
    await givenPublished(deps, 'other', 2);
    deps.notifier.clear();

    const replayed = await subscribe(deps, { connectionId: 'c1', topic: 'news', since: 2 });

    const frames = deps.notifier.framesFor('c1');
    expect(replayed).toBe(3);
    expect(frames[0]).toEqual({ type: 'subscribed', topic: 'news', seq: 5 });
    expect(frames.slice(1).map((frame) => frame.type === 'message' && [frame.topic, frame.seq, frame.message])).toEqual(
      [
        ['news', 3, 'm3'],
        ['news', 4, 'm4'],
        ['news', 5, 'm5'],
      ],
    );
  });

  it('replays a backlog longer than one read page without gaps', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    await givenPublished(deps, 'news', 230);
    deps.notifier.clear();

    const replayed = await subscribe(deps, { connectionId: 'c1', topic: 'news', since: 0 });

    const seqs = deps.notifier.framesOfType('c1', 'message').map((frame) => frame.seq);
    expect(replayed).toBe(230);
    expect(seqs).toEqual(Array.from({ length: 230 }, (_, index) => index + 1));
  });

  it('replays nothing when since is at or beyond the latest seq', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    await givenPublished(deps, 'news', 3);
    deps.notifier.clear();

    const atLatest = await subscribe(deps, { connectionId: 'c1', topic: 'news', since: 3 });
    const beyond = await subscribe(deps, { connectionId: 'c1', topic: 'news', since: 99 });

    expect([atLatest, beyond]).toEqual([0, 0]);
    expect(deps.notifier.framesFor('c1').map((frame) => frame.type)).toEqual(['subscribed', 'subscribed']);
  });

  it('delivers messages published after subscribing live', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    await subscribe(deps, { connectionId: 'c1', topic: 'news' });

    await publish(deps, { topic: 'news', message: 'live', from: null });

    expect(deps.notifier.framesOfType('c1', 'message').map((frame) => frame.message)).toEqual(['live']);
  });

  it('refuses a connection without a session', async () => {
    const deps = createMemoryDependencies();

    await expect(subscribe(deps, { connectionId: 'ghost', topic: 'news' })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(deps.subscriptions.channelsOf('ghost')).toEqual([]);
  });
});

describe('unsubscribe', () => {
  it('stops deliveries from the topic', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1', { topicName: 'news' });

    await unsubscribe(deps, 'c1', 'news');
    await publish(deps, { topic: 'news', message: 'unheard', from: null });

    expect(deps.notifier.framesOfType('c1', 'message')).toEqual([]);
  });

  it('refuses a topic the connection is not subscribed to with not_subscribed', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1', { topicName: 'news' });

    const attempt = unsubscribe(deps, 'c1', 'sport');

    await expect(attempt).rejects.toBeInstanceOf(NotSubscribedError);
    await expect(attempt).rejects.toMatchObject({ code: 'not_subscribed' });
  });

  it('refuses a second unsubscribe from the same topic', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1', { topicName: 'news' });
    await unsubscribe(deps, 'c1', 'news');

    await expect(unsubscribe(deps, 'c1', 'news')).rejects.toBeInstanceOf(NotSubscribedError);
  });
});

describe('the subscription cap', () => {
  it('refuses a topic over the cap with too_many_subscriptions, counting the handshake topic and not repeats', async () => {
    const deps = createMemoryDependencies({ settings: { maxSubscriptionsPerConnection: 2 } });
    await givenConnected(deps, 'c1', { topicName: 'first' });
    await subscribe(deps, { connectionId: 'c1', topic: 'first' });
    await subscribe(deps, { connectionId: 'c1', topic: 'second' });

    await expect(subscribe(deps, { connectionId: 'c1', topic: 'third' })).rejects.toBeInstanceOf(
      TooManySubscriptionsError,
    );

    expect(await deps.subscriptions.isSubscribed(topicChannel('third'), 'c1')).toBe(false);
    await unsubscribe(deps, 'c1', 'first');
    await expect(subscribe(deps, { connectionId: 'c1', topic: 'third' })).resolves.toBe(0);
  });
});
