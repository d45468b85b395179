/**
 * Content rules of the wire contract (docs/protocol.md, "Limits"), shared by the server, which enforces
 * them, and the client, which refuses what the server would refuse before sending it. Pure functions: this
 * file imports nothing.
 */

export const LIMITS = {
  /** A published topic `message`, serialised, in bytes. */
  messageBytes: 16 * 1024,
  /** Chat text after trimming, in characters (code points). */
  chatChars: 2000,
  /** A display name after trimming, in characters. */
  nameChars: 40,
  topicChars: 128,
  historyDefault: 50,
  historyMax: 200,
  /** API Gateway closes the connection (1009) on a frame larger than this, in bytes. */
  frameBytes: 32 * 1024,
  /** Idempotency ids of publish and chat frames, in characters. */
  idChars: 128,
} as const;

/** API Gateway's connection limits. */
export const GATEWAY = {
  /** A connection with no client frame for this long is closed. */
  idleTimeoutMs: 10 * 60_000,
  /** Any connection is closed after this long. */
  maxConnectionMs: 2 * 60 * 60_000,
} as const;

export const TOPIC_PATTERN = /^[A-Za-z0-9_\-.:/]{1,128}$/;
export const TOPIC_RULE = 'a topic name is 1 to 128 characters of A-Z a-z 0-9 _ - . : /';
export const NAME_RULE = 'a display name is 1 to 40 printable characters after trimming';

// Not printable: controls, lone surrogates, line and paragraph separators, and invisible format characters
// (bidi overrides, zero-width spaces), except the joiner and tag characters that emoji sequences use.
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;

export function isValidTopicName(topic: unknown): topic is string {
  return typeof topic === 'string' && TOPIC_PATTERN.test(topic);
}

/** Why a display name (before trimming) breaks the rules, or undefined when it is valid. */
export function displayNameProblem(raw: string): 'length' | 'unprintable' | undefined {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > LIMITS.nameChars) return 'length';
  if (UNPRINTABLE.test(name)) return 'unprintable';
  return undefined;
}

/** Length in characters (code points), as the server counts chat text, names and the feed cursor. */
export function charLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The serialised size of a published message in bytes (`undefined` serialises as `null`). */
export function messageBytes(message: unknown): number {
  return utf8Length(JSON.stringify(message) ?? 'null');
}
