// The rules themselves live in the wire module that the client package shares, so both ends refuse the
// same input; this file turns a broken rule into the domain's typed errors.
import {
  chatTextProblem,
  DEFAULT_ROOM,
  displayNameProblem,
  isValidRoomName,
  isValidTopicName,
  LIMITS,
  messageBytes,
  messageProblem,
  nestsDeeperThan,
  normaliseChatText,
  TEXT_RULE,
  utf8Length,
} from '../../packages/client/src/wire/rules';
import { HandshakeRejectedError, InvalidFrameError, TooLargeError } from './errors';
import type { RouteClass } from './ports/rate-limiter';

export { DEFAULT_ROOM, isValidRoomName, isValidTopicName, LIMITS, utf8Length };

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
  // Joining and leaving rooms is like subscribing: a reconnect rejoins every room at once.
  join: 'subscribe',
  leave: 'subscribe',
  sendmessage: 'chat',
  send: 'chat',
  // A new identity and presence changes in every room of the connection: as costly as a chat message.
  reset: 'chat',
  hello: 'session',
  teleread: 'session',
  teleprinter: 'session',
  stop: 'session',
  ping: 'free',
};

/** Throws `invalid_frame` for a topic name outside the contract's pattern. */
export function requireTopicName(topic: unknown): string {
  if (!isValidTopicName(topic)) {
    throw new InvalidFrameError('"topic" must be 1 to 128 characters of A-Z a-z 0-9 _ - . : /');
  }
  return topic;
}

export const ROOM_RULE = '1 to 128 characters of A-Z a-z 0-9 _ - . : /';

/** Throws `invalid_frame` for a room name outside the rule (the topic name rule). */
export function requireRoomName(room: unknown): string {
  if (!isValidRoomName(room)) throw new InvalidFrameError(`"room" must be ${ROOM_RULE}`);
  return room;
}

/** A room name from the handshake (`?room=`); anything outside the rule is a 400. */
export function parseHandshakeRoom(room: string): string {
  if (!isValidRoomName(room)) throw new HandshakeRejectedError(400, `room must be ${ROOM_RULE}`);
  return room;
}

/** A display name from the handshake: trimmed, 1 to 40 printable characters; anything else is a 400. */
export function parseDisplayName(raw: string): string {
  if (displayNameProblem(raw) !== undefined) {
    throw new HandshakeRejectedError(400, 'name must be 1 to 40 printable characters.');
  }
  return raw.trim();
}

/** A display name in a frame (`join`): trimmed, 1 to 40 printable characters; anything else is `invalid_frame`. */
export function requireDisplayName(raw: string): string {
  if (displayNameProblem(raw) !== undefined)
    throw new InvalidFrameError('"name" must be 1 to 40 printable characters.');
  return raw.trim();
}

/**
 * Chat text: trimmed, CR LF and CR made LF, 1 to 2,000 printable characters. Empty or unprintable is
 * `invalid_frame`, longer is `too_large`.
 */
export function parseChatText(raw: string): string {
  const text = normaliseChatText(raw);
  switch (chatTextProblem(text)) {
    case 'empty':
      throw new InvalidFrameError('"message" must not be empty.');
    case 'length':
      throw new TooLargeError(`"message" is longer than ${LIMITS.chatChars} characters.`);
    case 'unprintable':
      throw new InvalidFrameError(`"message" must be ${TEXT_RULE}.`);
    case undefined:
      return text;
  }
}

/**
 * A published or direct `message`: at most 32 levels deep (`invalid_frame`), every string in it (object
 * keys too) printable text with CR allowed as well (`invalid_frame`), at most 16 KB serialised (`too_large`).
 * One walk, without recursion, before anything serialises the value.
 */
export function requireMessage(message: unknown): void {
  switch (messageProblem(message)) {
    case 'depth':
      throw depthError('"message"', LIMITS.messageDepth);
    case 'unprintable':
      throw new InvalidFrameError(`Every string in "message" must be ${TEXT_RULE}.`);
    case 'size':
      return requireMessageSize(message);
    case undefined:
      return;
  }
}

/** Throws `invalid_frame` when `value` nests more than `maxDepth` arrays and objects; never recurses. */
export function requireDepth(value: unknown, maxDepth: number, what: string): void {
  if (nestsDeeperThan(value, maxDepth)) throw depthError(what, maxDepth);
}

function depthError(what: string, maxDepth: number): InvalidFrameError {
  return new InvalidFrameError(`${what} nests arrays and objects more than ${maxDepth} levels deep.`);
}

/** The serialised size of a published message, in bytes, checked against the 16 KB limit. */
export function requireMessageSize(message: unknown): void {
  const bytes = messageBytes(message);
  if (bytes > LIMITS.messageBytes) {
    throw new TooLargeError(`"message" is ${bytes} bytes once serialised; the limit is ${LIMITS.messageBytes}.`);
  }
}

/** The UTF-8 bytes of a value serialised as JSON: what a reply frame or an HTTP body costs. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? 'null');
}
