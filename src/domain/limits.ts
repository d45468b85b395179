import { HandshakeRejectedError, InvalidFrameError, TooLargeError } from './errors';
import type { RouteClass } from './ports/rate-limiter';

/** Content limits of the wire contract. */
export const LIMITS = {
  /** A published topic `message`, serialised. */
  messageBytes: 16 * 1024,
  chatChars: 2000,
  nameChars: 40,
  topicChars: 128,
  historyDefault: 50,
  historyMax: 200,
  /**
   * Arrays and objects a `message` may nest (a scalar is 0 levels, `[1]` is 1). Serialising and storing a
   * value recurse, so depth is checked first, without recursion.
   */
  messageDepth: 32,
  /**
   * A reply frame, serialised. API Gateway refuses an `@connections` post over 128 KB (a WebSocket message
   * of up to four 32 KB frames); the rest is headroom for the envelope of a reply cut at this size.
   */
  replyBytes: 120 * 1024,
  /** Members in one `who` page. */
  whoPageSize: 100,
  /** An HTTP API answer, serialised: well under Lambda's 6 MB response limit. */
  httpPageBytes: 1024 * 1024,
  /** Topic subscriptions one connection may hold (the chat room not counted); `MaxSubscriptionsPerConnection`. */
  subscriptionsPerConnection: 100,
} as const;

/**
 * The rate-limit budget each WebSocket action draws from (see `RouteClass`). `ping` is free: it keeps a
 * connection alive and touches no database. An action missing here draws from `session`.
 */
export const ROUTE_CLASSES: Readonly<Record<string, RouteClass | 'free'>> = {
  publish: 'publish',
  subscribe: 'subscribe',
  unsubscribe: 'subscribe',
  history: 'read',
  who: 'read',
  sendmessage: 'chat',
  send: 'chat',
  // Two room-wide broadcasts, like a chat message.
  reset: 'chat',
  hello: 'session',
  teleread: 'session',
  teleprinter: 'session',
  stop: 'session',
  ping: 'free',
};

const TOPIC_PATTERN = /^[A-Za-z0-9_\-.:/]{1,128}$/;
// Not printable: controls, lone surrogates, line and paragraph separators, and invisible format characters
// (bidi overrides, zero-width spaces), except the joiner and tag characters that emoji sequences use.
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;
// Text (chat, and the strings of a published message) follows the same rule but may break lines and indent.
const UNPRINTABLE_IN_TEXT = /(?![\t\n])[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;
const TEXT_RULE = 'printable characters (line feeds and tabs allowed; no other control, separator or invisible format characters)';

export function isValidTopicName(topic: unknown): topic is string {
  return typeof topic === 'string' && TOPIC_PATTERN.test(topic);
}

/** Throws `invalid_frame` for a topic name outside the contract's pattern. */
export function requireTopicName(topic: unknown): string {
  if (!isValidTopicName(topic)) {
    throw new InvalidFrameError('"topic" must be 1 to 128 characters of A-Z a-z 0-9 _ - . : /');
  }
  return topic;
}

/** A display name from the handshake: trimmed, 1 to 40 printable characters; anything else is a 400. */
export function parseDisplayName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > LIMITS.nameChars || UNPRINTABLE.test(name)) {
    throw new HandshakeRejectedError(400, 'name must be 1 to 40 printable characters.');
  }
  return name;
}

/**
 * Chat text: trimmed, CR LF and CR made LF, 1 to 2,000 printable characters. Empty or unprintable is
 * `invalid_frame`, longer is `too_large`.
 */
export function parseChatText(raw: string): string {
  const text = raw.trim().replace(/\r\n?/g, '\n');
  if (text.length === 0) throw new InvalidFrameError('"message" must not be empty.');
  if ([...text].length > LIMITS.chatChars) {
    throw new TooLargeError(`"message" is longer than ${LIMITS.chatChars} characters.`);
  }
  if (UNPRINTABLE_IN_TEXT.test(text)) throw new InvalidFrameError(`"message" must be ${TEXT_RULE}.`);
  return text;
}

/**
 * A published or direct `message`: at most 32 levels deep (`invalid_frame`), every string in it (object
 * keys too) printable text with CR allowed as well (`invalid_frame`), at most 16 KB serialised (`too_large`).
 * One walk, without recursion, before anything serialises the value.
 */
export function requireMessage(message: unknown): void {
  walk(message, LIMITS.messageDepth, '"message"', (text) => {
    if (UNPRINTABLE_IN_TEXT.test(text.replace(/\r/g, ''))) {
      throw new InvalidFrameError(`Every string in "message" must be ${TEXT_RULE}.`);
    }
  });
  requireMessageSize(message);
}

/** Throws `invalid_frame` when `value` nests more than `maxDepth` arrays and objects; never recurses. */
export function requireDepth(value: unknown, maxDepth: number, what: string): void {
  walk(value, maxDepth, what, () => undefined);
}

function walk(value: unknown, maxDepth: number, what: string, onString: (text: string) => void): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item === 'string') {
      onString(item);
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > maxDepth) throw new InvalidFrameError(`${what} nests arrays and objects more than ${maxDepth} levels deep.`);
    if (Array.isArray(item)) {
      for (const element of item) pending.push([element, depth + 1]);
    } else {
      for (const [key, element] of Object.entries(item)) {
        onString(key);
        pending.push([element, depth + 1]);
      }
    }
  }
}

/** The serialised size of a published message, in bytes, checked against the 16 KB limit. */
export function requireMessageSize(message: unknown): void {
  const bytes = utf8Length(JSON.stringify(message) ?? 'null');
  if (bytes > LIMITS.messageBytes) {
    throw new TooLargeError(`"message" is ${bytes} bytes once serialised; the limit is ${LIMITS.messageBytes}.`);
  }
}

/** The UTF-8 bytes of a value serialised as JSON: what a reply frame or an HTTP body costs. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? 'null');
}

/** UTF-8 bytes of a string (lone surrogates count as the 3 bytes of the replacement character). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
