import type { TopicMessageFrame, TopicStatus } from '@switchboard/client';
import { setup, URL_ } from './support/harness';

const message = (topic: string, seq: number): TopicMessageFrame => ({
  type: 'message',
  topic,
  seq,
  message: seq,
  from: null,
  sentAt: '',
});

function subscribed(options: Parameters<typeof setup>[0] = {}) {
  const h = setup({ heartbeatMs: 60 * 60_000, ...options });
  const seen: number[] = [];
  const statuses: TopicStatus[] = [];
  const gaps: Array<{ from: number; to: number }> = [];
  h.client.on('topicMessage', (frame) => seen.push(frame.seq));
  h.client.on('topicStatus', ({ status }) => statuses.push(status));
  h.client.on('gap', ({ from, to }) => gaps.push({ from, to }));
  h.client.connect(URL_);
  const socket = h.establish();
  h.client.subscribe('news');
  return { ...h, socket, seen, statuses, gaps };
}

describe('delivery to the application, per topic', () => {
  it('holds a message after a gap until the gap is filled, then hands both over in order', () => {
    const { socket, seen } = subscribed();
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });

    socket.receive(message('news', 2));
    expect(seen).toEqual([]);
    socket.receive(message('news', 1));

    expect(seen).toEqual([1, 2]);
  });

  it('asks for a replay with since when a gap stays open, and releases nothing later before it is filled', () => {
    const { socket, seen, scheduler } = subscribed({ gapWaitMs: 1000 });
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive(message('news', 1));
    socket.receive(message('news', 3));
    socket.receive(message('news', 4));

    scheduler.advance(999);
    expect(socket.sent.filter((frame) => frame.action === 'subscribe')).toHaveLength(1);
    scheduler.advance(1);
    expect(socket.sent.filter((frame) => frame.action === 'subscribe').at(-1)).toEqual({
      action: 'subscribe',
      topic: 'news',
      since: 1,
    });
    expect(seen).toEqual([1]);

    socket.receive({ type: 'subscribed', topic: 'news', seq: 4 });
    socket.receive(message('news', 2));
    socket.receive(message('news', 3)); // the replay repeats what was held
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('skips a seq the server never stored once the replay has made no progress for a while, and says so', () => {
    const { socket, seen, gaps, scheduler } = subscribed({ gapWaitMs: 1000, gapGiveUpMs: 5000 });
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive(message('news', 2));
    scheduler.advance(1000); // replay asked for
    socket.receive({ type: 'subscribed', topic: 'news', seq: 2 });
    socket.receive(message('news', 2));
    scheduler.advance(4999);
    expect(seen).toEqual([]);

    scheduler.advance(1);

    expect(gaps).toEqual([{ from: 1, to: 1 }]);
    expect(seen).toEqual([2]);
  });

  it('takes a skipped seq as seen, so that a reconnect resumes after it instead of asking for it again', () => {
    const { socket, seen, gaps, scheduler, establish } = subscribed({ gapWaitMs: 1000 });
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive(message('news', 1));
    socket.receive(message('news', 3));
    const seenBeforeSkip = [...seen];
    socket.receive({ type: 'skipped', topic: 'news', seq: 2 });

    expect(seenBeforeSkip).toEqual([1]);
    expect(seen).toEqual([1, 3]);
    expect(gaps).toEqual([{ from: 2, to: 2 }]);
    scheduler.advance(60_000);
    expect(socket.sent.filter((frame) => frame.action === 'subscribe')).toHaveLength(1); // no replay asked for seq 2
    socket.drop();
    scheduler.advance(30_000);
    const next = establish({ resumed: true });
    expect(next.sent.filter((frame) => frame.action === 'subscribe')).toEqual([
      { action: 'subscribe', topic: 'news', since: 3 },
    ]);
  });

  it('takes skipped seqs of a replay in their place among the messages, reporting a run of them as one gap', () => {
    const { socket, seen, gaps, client } = subscribed();
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive({ type: 'skipped', topic: 'news', seq: 3 });
    socket.receive(message('news', 4));
    socket.receive({ type: 'skipped', topic: 'news', seq: 2 });
    expect(seen).toEqual([]);
    socket.receive(message('news', 1));
    socket.receive({ type: 'skipped', topic: 'news', seq: 5 });
    socket.receive({ type: 'skipped', topic: 'news', seq: 1 }); // already past: ignored

    expect(seen).toEqual([1, 4]);
    expect(gaps).toEqual([
      { from: 2, to: 3 },
      { from: 5, to: 5 },
    ]);
    expect(client.lastSeq('news')).toBe(5);
  });

  it('reports live only once everything up to the latest seq has been handed over', () => {
    const { socket, statuses, scheduler, establish, client } = subscribed();
    socket.receive({ type: 'subscribed', topic: 'news', seq: 5 });
    expect(statuses).toEqual(['live']);
    socket.receive(message('news', 6));
    socket.drop();
    expect(client.topicStatus('news')).toBe('subscribing');

    scheduler.advance(30_000);
    const next = establish({ resumed: true });
    expect(next.sent.filter((frame) => frame.action === 'subscribe')).toEqual([
      { action: 'subscribe', topic: 'news', since: 6 },
    ]);
    next.receive({ type: 'subscribed', topic: 'news', seq: 8 });
    expect(client.topicStatus('news')).toBe('replaying');
    next.receive(message('news', 7));
    expect(client.topicStatus('news')).toBe('replaying');
    next.receive(message('news', 8));

    expect(statuses).toEqual(['live', 'subscribing', 'replaying', 'live']);
  });

  it('holds what arrives before the subscription is confirmed, and starts after the latest seq it names', () => {
    const { socket, seen } = subscribed();
    socket.receive(message('news', 4)); // published meanwhile: before the subscription point
    socket.receive(message('news', 6));
    socket.receive({ type: 'subscribed', topic: 'news', seq: 4 });
    socket.receive(message('news', 5));

    expect(seen).toEqual([5, 6]);
  });

  it('with since, delivers every stored message after it first', () => {
    const h = setup();
    const seen: number[] = [];
    h.client.on('topicMessage', (frame) => seen.push(frame.seq));
    h.client.subscribe('news', { since: 0 });
    h.client.connect(URL_);
    const socket = h.establish();
    expect(socket.sent.filter((frame) => frame.action === 'subscribe')).toEqual([
      { action: 'subscribe', topic: 'news', since: 0 },
    ]);
    socket.receive({ type: 'subscribed', topic: 'news', seq: 2 });
    socket.receive(message('news', 1));
    socket.receive(message('news', 2));
    expect(seen).toEqual([1, 2]);
    expect(h.client.topicStatus('news')).toBe('live');
  });

  it('hands each seq over once across many reconnects with overlapping replays', () => {
    const { socket, seen, scheduler, establish } = subscribed();
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    let current = socket;
    let published = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) current.receive(message('news', ++published));
      current.drop();
      scheduler.advance(30_000);
      current = establish({ resumed: true });
      const since = current.sent.find((frame) => frame.action === 'subscribe')?.since as number;
      current.receive({ type: 'subscribed', topic: 'news', seq: published });
      for (let seq = Math.max(1, since - 2); seq <= published; seq++) current.receive(message('news', seq)); // overlapping replay
    }
    expect(seen).toEqual(Array.from({ length: published }, (_, i) => i + 1));
  });

  it('stops delivering a topic once unsubscribed, even from inside its own handler', () => {
    const h = setup();
    const seen: number[] = [];
    h.client.on('topicMessage', (frame) => {
      seen.push(frame.seq);
      if (frame.seq === 2) h.client.unsubscribe('news');
    });
    h.client.connect(URL_);
    const socket = h.establish();
    h.client.subscribe('news');
    socket.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    socket.receive(message('news', 3));
    socket.receive(message('news', 2));
    socket.receive(message('news', 1));

    expect(seen).toEqual([1, 2]);
    expect(socket.sent.at(-1)).toEqual({ action: 'unsubscribe', topic: 'news' });
  });
});
