import { HandshakeRejectedError, InvalidFrameError, TooLargeError } from '../../src/domain/errors';
import {
  isValidTopicName,
  LIMITS,
  parseChatText,
  parseDisplayName,
  requireDepth,
  requireMessage,
  requireMessageSize,
  requireTopicName,
} from '../../src/domain/limits';

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('topic names', () => {
  it.each(['a', 'news', 'A-Z_a-z.0-9:/', 'prices/eur:usd', 't'.repeat(128)])('accepts %j', (topic) => {
    expect(isValidTopicName(topic)).toBe(true);
    expect(requireTopicName(topic)).toBe(topic);
  });

  it.each(['', 't'.repeat(129), 'two words', 'café', 'news\n', 'a*b', 'a#b', 'a?b'])('refuses %j', (topic) => {
    expect(isValidTopicName(topic)).toBe(false);
    expect(() => requireTopicName(topic)).toThrow(InvalidFrameError);
  });

  it.each([undefined, null, 42, ['news'], { topic: 'news' }])('refuses the non-string %p', (topic) => {
    expect(isValidTopicName(topic)).toBe(false);
    expect(() => requireTopicName(topic)).toThrow(InvalidFrameError);
  });
});

describe('display names', () => {
  it('trims the name', () => {
    expect(parseDisplayName('  Ada Lovelace \t')).toBe('Ada Lovelace');
  });

  it('counts characters, not UTF-16 code units, against the 40-character limit', () => {
    const forty = '😀'.repeat(40);

    expect(parseDisplayName(forty)).toBe(forty);
    expect(() => parseDisplayName('😀'.repeat(41))).toThrow(HandshakeRejectedError);
  });

  const SCOTLAND_FLAG = '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';

  it.each(['Zoë', 'Ωμέγα', '山田太郎', 'O’Brien-Smith', 'a\u00a0b', '👩‍💻 dev', '👨‍👩‍👧', '❤️', '🇫🇷', SCOTLAND_FLAG])(
    'accepts the printable name %j',
    (name) => {
      expect(parseDisplayName(name)).toBe(name);
    },
  );

  it.each([
    ['empty', ''],
    ['only spaces', '    '],
    ['41 characters', 'x'.repeat(41)],
    ['a NUL', 'Ada\u0000'],
    ['a bell (C0)', 'A\u0007da'],
    ['an escape (C0)', 'Ada\u001b[31m'],
    ['an inner newline', 'Ada\nLovelace'],
    ['an inner tab', 'Ada\tLovelace'],
    ['DEL', 'Ada\u007f'],
    ['a C1 control', 'Ada\u0085'],
    ['a lone high surrogate', 'Ada\ud800'],
    ['a lone low surrogate', '\udc00Ada'],
  ])('refuses a name with %s as a 400', (_case, name) => {
    const error = thrownBy(() => parseDisplayName(name));

    expect(error).toBeInstanceOf(HandshakeRejectedError);
    expect(error).toMatchObject({ statusCode: 400 });
  });

  // Joiners and tag characters are format characters too, but emoji sequences need them (see above).
  it.each([
    ['a line separator', 'Ada\u2028Lovelace'],
    ['a paragraph separator', 'Ada\u2029Lovelace'],
    ['a right-to-left override', 'Ada\u202egnp.exe'],
    ['only a zero-width space', '\u200b'],
  ])('refuses a name with %s, which is not printable', (_case, name) => {
    expect(() => parseDisplayName(name)).toThrow(HandshakeRejectedError);
  });
});

describe('chat text', () => {
  it('trims the text', () => {
    expect(parseChatText('  hi there \n')).toBe('hi there');
  });

  it.each(['', ' ', '\n\t'])('refuses the empty text %j with invalid_frame', (text) => {
    expect(() => parseChatText(text)).toThrow(InvalidFrameError);
  });

  it('accepts 2,000 characters after trimming and refuses 2,001 with too_large', () => {
    expect(parseChatText(` ${'x'.repeat(2000)} `)).toHaveLength(2000);
    expect(() => parseChatText('x'.repeat(2001))).toThrow(TooLargeError);
  });

  it('counts an emoji as one character', () => {
    expect(() => parseChatText('😀'.repeat(2000))).not.toThrow();
    expect(() => parseChatText('😀'.repeat(2001))).toThrow(TooLargeError);
  });

  it('keeps inner newlines and tabs, and turns CR LF and CR into LF', () => {
    expect(parseChatText('one\r\ntwo\rthree\n\tfour')).toBe('one\ntwo\nthree\n\tfour');
  });

  it.each([
    ['a NUL', 'hi\u0000there'],
    ['a bell', 'hi\u0007'],
    ['an escape', '\u001b[2Jhi'],
    ['DEL', 'hi\u007f'],
    ['a C1 control', 'hi\u0085'],
    ['a right-to-left override', 'invoice\u202egnp.exe'],
    ['a zero-width space', 'a\u200bb'],
    ['a line separator', 'a\u2028b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses text with %s as invalid_frame, as names do', (_case, text) => {
    expect(() => parseChatText(text)).toThrow(InvalidFrameError);
  });

  it('accepts emoji sequences that need joiners and tag characters', () => {
    expect(parseChatText('👩‍💻 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}')).toContain('👩‍💻');
  });
});

describe('nesting depth', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < levels; level += 1) value = level % 2 ? { k: value } : [value];
    return value;
  };

  it(`accepts ${LIMITS.messageDepth} levels of arrays and objects and refuses one more with invalid_frame`, () => {
    expect(() => requireDepth(nested(LIMITS.messageDepth), LIMITS.messageDepth, '"message"')).not.toThrow();
    expect(() => requireDepth(nested(LIMITS.messageDepth + 1), LIMITS.messageDepth, '"message"')).toThrow(
      InvalidFrameError,
    );
  });

  it('checks 100,000 levels without overflowing the stack', () => {
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level += 1) deep = [deep];

    expect(thrownBy(() => requireMessage(deep))).toBeInstanceOf(InvalidFrameError);
  });
});

describe('published messages', () => {
  it.each([
    ['a string', 'price \u202e05$'],
    ['a string inside an object', { headline: 'ok', body: 'bell\u0007' }],
    ['an object key', { 'k\u0000': 1 }],
    ['a string inside an array', [['fine', 'nul\u0000']]],
  ])('refuses unprintable text in %s with invalid_frame', (_case, message) => {
    expect(() => requireMessage(message)).toThrow(InvalidFrameError);
  });

  it('accepts newlines and tabs in strings at any depth', () => {
    expect(() => requireMessage({ lines: ['a\nb', 'c\td'], text: 'x\r\ny' })).not.toThrow();
  });

  it('refuses a message over 16 KB with too_large', () => {
    expect(() => requireMessage('x'.repeat(17_000))).toThrow(TooLargeError);
  });
});

describe('message size', () => {
  const LIMIT = 16 * 1024;

  it('measures the serialised message: a string of 16,382 ASCII characters plus its quotes fits', () => {
    expect(() => requireMessageSize('x'.repeat(LIMIT - 2))).not.toThrow();
    expect(() => requireMessageSize('x'.repeat(LIMIT - 1))).toThrow(TooLargeError);
  });

  it('counts UTF-8 bytes: two-byte characters fill the limit at half the length', () => {
    expect(() => requireMessageSize('é'.repeat((LIMIT - 2) / 2))).not.toThrow();
    expect(() => requireMessageSize('é'.repeat((LIMIT - 2) / 2 + 1))).toThrow(TooLargeError);
  });

  it('counts UTF-8 bytes: three- and four-byte characters', () => {
    expect(() => requireMessageSize('€'.repeat(5460))).not.toThrow(); // 16,380 + 2 bytes
    expect(() => requireMessageSize('€'.repeat(5461))).toThrow(TooLargeError);
    expect(() => requireMessageSize('😀'.repeat(4095))).not.toThrow(); // 16,380 + 2 bytes
    expect(() => requireMessageSize('😀'.repeat(4096))).toThrow(TooLargeError);
  });

  it('counts the structure of objects, not just their strings', () => {
    const keys = Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`k${index}`, 0]));

    expect(() => requireMessageSize(keys)).toThrow(TooLargeError);
  });

  it.each([null, undefined, 0, true, {}, []])('accepts the small message %p', (message) => {
    expect(() => requireMessageSize(message)).not.toThrow();
  });
});
