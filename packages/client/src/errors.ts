import { LIMITS, NAME_RULE, TEXT_RULE, TOPIC_RULE } from './wire/rules.js';

const ROOM_RULE = TOPIC_RULE.replace('a topic name', 'a room name');

/** Which rule a refused call broke. */
export type ClientRule =
  | 'url'
  | 'topic'
  | 'room'
  | 'not-in-room'
  | 'name'
  | 'message-size'
  | 'message-depth'
  | 'message-text'
  | 'chat-text'
  | 'frame-size'
  | 'since'
  | 'closed'
  | 'token'
  | 'signed-in'
  | 'no-websocket';

/**
 * Something the client refused before sending anything. `rule` says which rule was broken, for programs;
 * the message says it in words, for people. Thrown synchronously by the call that broke it.
 */
export class SwitchboardClientError extends Error {
  readonly rule: ClientRule;

  constructor(rule: ClientRule, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SwitchboardClientError';
    this.rule = rule;
  }
}

export class InvalidUrlError extends SwitchboardClientError {
  constructor(url: string, options?: ErrorOptions) {
    super('url', `"${url}" is not a ws:// or wss:// URL.`, options);
    this.name = 'InvalidUrlError';
  }
}

export class InvalidTopicError extends SwitchboardClientError {
  constructor(topic: unknown) {
    super('topic', `Topic ${JSON.stringify(topic) ?? String(topic)} is refused: ${TOPIC_RULE}.`);
    this.name = 'InvalidTopicError';
  }
}

export class InvalidRoomError extends SwitchboardClientError {
  constructor(room: unknown) {
    super('room', `Room ${JSON.stringify(room) ?? String(room)} is refused: ${ROOM_RULE}.`);
    this.name = 'InvalidRoomError';
  }
}

/** Chat sent to a room the client has not joined (or has left). */
export class NotInRoomError extends SwitchboardClientError {
  constructor(room: string) {
    super('not-in-room', `Join the room "${room}" before sending to it.`);
    this.name = 'NotInRoomError';
  }
}

export class InvalidNameError extends SwitchboardClientError {
  readonly problem: 'length' | 'unprintable';

  constructor(problem: 'length' | 'unprintable') {
    super(
      'name',
      problem === 'length'
        ? `A display name can be at most ${LIMITS.nameChars} characters (${NAME_RULE}).`
        : `That display name contains an invisible or control character (${NAME_RULE}).`,
    );
    this.name = 'InvalidNameError';
    this.problem = problem;
  }
}

/** A published message over 16 KB serialised, or chat text over 2,000 characters. */
export class MessageTooLargeError extends SwitchboardClientError {
  constructor(
    rule: 'message-size' | 'chat-text',
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      rule,
      rule === 'message-size'
        ? `The message is too large: ${size} bytes once serialised; the limit is ${limit}.`
        : `The chat message is too large: ${size} characters; the limit is ${limit}.`,
    );
    this.name = 'MessageTooLargeError';
  }
}

/** A published message nested more than 32 levels of arrays and objects deep. */
export class MessageTooDeepError extends SwitchboardClientError {
  constructor() {
    super('message-depth', `The message nests arrays and objects more than ${LIMITS.messageDepth} levels deep.`);
    this.name = 'MessageTooDeepError';
  }
}

/**
 * Chat text, or a string in a published message, with a character the server refuses: a control character
 * other than line feed and tab (and carriage return in a published message), a line or paragraph separator,
 * or an invisible format character such as a zero-width space or a direction mark.
 */
export class UnprintableTextError extends SwitchboardClientError {
  constructor(rule: 'chat-text' | 'message-text') {
    super(
      rule,
      rule === 'chat-text'
        ? `The chat message contains an invisible or control character (such as a zero-width space or a direction mark); it must be ${TEXT_RULE}.`
        : `A string in the message contains an invisible or control character (such as a zero-width space or a direction mark); every string must be ${TEXT_RULE}.`,
    );
    this.name = 'UnprintableTextError';
  }
}

export class EmptyChatError extends SwitchboardClientError {
  constructor() {
    super('chat-text', 'A chat message must not be empty.');
    this.name = 'EmptyChatError';
  }
}

/** A frame over API Gateway's 32 KB, which would close the connection (1009) rather than be refused. */
export class FrameTooLargeError extends SwitchboardClientError {
  constructor(readonly bytes: number) {
    super('frame-size', `The frame is ${bytes} bytes; API Gateway takes at most ${LIMITS.frameBytes}.`);
    this.name = 'FrameTooLargeError';
  }
}

export class InvalidSinceError extends SwitchboardClientError {
  constructor(since: unknown) {
    super('since', `"since" must be a whole number from 0, not ${String(since)}.`);
    this.name = 'InvalidSinceError';
  }
}

export class ClientClosedError extends SwitchboardClientError {
  constructor() {
    super('closed', 'The client is closed.');
    this.name = 'ClientClosedError';
  }
}

export class NoWebSocketError extends SwitchboardClientError {
  constructor() {
    super('no-websocket', 'No WebSocket implementation: on Node 20, pass `WebSocket` from the `ws` package.');
    this.name = 'NoWebSocketError';
  }
}

/** `resetIdentity()` on a client signed in with a token provider: the identity is the provider's to change. */
export class SignedInResetError extends SwitchboardClientError {
  constructor() {
    super('signed-in', 'A signed-in user cannot reset their identity: sign in as someone else instead.');
    this.name = 'SignedInResetError';
  }
}
