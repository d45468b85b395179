import { FeedBuffer } from '@switchboard/client';

const feed = (text: string, cursor: number, total = 100) => ({ type: 'feed' as const, text, cursor, total });

describe('FeedBuffer', () => {
  it('appends in order and trims the repeat of a resumed stream', () => {
    const buffer = new FeedBuffer();

    expect(buffer.apply(feed('abc', 3))).toEqual({ appended: 'abc', missing: 0 });
    expect(buffer.apply(feed('cde', 5))).toEqual({ appended: 'de', missing: 0 });
    expect(buffer.apply(feed('de', 5))).toEqual({ appended: '', missing: 0 });

    expect(buffer.content).toBe('abcde');
    expect(buffer.cursor).toBe(5);
  });

  it('reports a gap rather than gluing text on', () => {
    const buffer = new FeedBuffer();
    buffer.apply(feed('ab', 2));

    expect(buffer.apply(feed('fg', 7))).toEqual({ appended: 'fg', missing: 3 });
  });

  it('counts characters as the server does: an emoji outside the basic plane is one', () => {
    const buffer = new FeedBuffer();

    buffer.apply(feed('a😀', 2));
    expect(buffer.apply(feed('😀b', 3))).toEqual({ appended: 'b', missing: 0 });
    expect(buffer.apply(feed('c🚀d', 6))).toEqual({ appended: 'c🚀d', missing: 0 });

    expect(buffer.content).toBe('a😀bc🚀d');
    expect(buffer.cursor).toBe(6);
  });

  it('keeps the position when cleared, so later frames still line up', () => {
    const buffer = new FeedBuffer();
    buffer.apply(feed('abc', 3));
    buffer.clear();

    expect(buffer.apply(feed('cd', 4))).toEqual({ appended: 'd', missing: 0 });
    expect(buffer.start).toBe(3);
  });

  it('starts over where a session says when the article changed, and otherwise keeps its text', () => {
    const buffer = new FeedBuffer();
    buffer.apply(feed('abcdef', 6, 100));

    buffer.onSession(9, 100);
    buffer.onSession(2, 100);
    expect([buffer.cursor, buffer.content]).toEqual([6, 'abcdef']);

    buffer.onSession(0, 0);
    expect([buffer.cursor, buffer.total]).toEqual([6, 100]);

    buffer.onSession(0, 120);
    expect([buffer.cursor, buffer.content, buffer.total]).toEqual([0, '', 120]);
  });

  it('takes the stream’s own position when it holds nothing and knows no article length', () => {
    const buffer = new FeedBuffer();
    buffer.resetAt(500, 0); // a session while the article could not be loaded: a cursor from who knows which text

    expect(buffer.apply(feed('abc', 3, 100))).toEqual({ appended: 'abc', missing: 0 });
    expect([buffer.start, buffer.cursor]).toEqual([0, 3]);
  });
});
