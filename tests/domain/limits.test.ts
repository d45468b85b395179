import { HandshakeRejectedError, InvalidFrameError, TooLargeError } from '../../src/domain/errors';
import { isValidTopicName, parseChatText, parseDisplayName, requireMessageSize, requireTopicName } from '../../src/domain/limits';

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
