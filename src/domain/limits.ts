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

/** Chat text: trimmed, 1 to 2,000 characters. Empty is `invalid_frame`, longer is `too_large`. */
export function parseChatText(raw: string): string {
  const text = raw.trim();
  if (text.length === 0) throw new InvalidFrameError('"message" must not be empty.');
  if ([...text].length > LIMITS.chatChars) {
    throw new TooLargeError(`"message" is longer than ${LIMITS.chatChars} characters.`);
  }
  return text;
}

/** The serialised size of a published message, in bytes, checked against the 16 KB limit. */
export function requireMessageSize(message: unknown): void {
  const bytes = utf8Length(JSON.stringify(message) ?? 'null');
  if (bytes > LIMITS.messageBytes) {
    throw new TooLargeError(`"message" is ${bytes} bytes once serialised; the limit is ${LIMITS.messageBytes}.`);
  }
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
