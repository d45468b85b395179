import type { ErrorCode } from '../../packages/client/src/wire/frames';

/** Error codes of the wire contract's `error` frame: defined once, in the wire module the client shares. */
export type { ErrorCode };

/**
 * A request the client got wrong. Its message is written for the client and is safe to send; anything
 * else that is thrown is an internal error whose details never leave the server.
 */
export class ClientError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClientError';
    this.code = code;
  }
}

export class InvalidFrameError extends ClientError {
  constructor(message: string, options?: ErrorOptions) {
    super('invalid_frame', message, options);
    this.name = 'InvalidFrameError';
  }
}

export class TooLargeError extends ClientError {
  constructor(message: string, options?: ErrorOptions) {
    super('too_large', message, options);
    this.name = 'TooLargeError';
  }
}

export class NotSubscribedError extends ClientError {
  constructor(topic: string) {
    super('not_subscribed', `Not subscribed to topic "${topic}".`);
    this.name = 'NotSubscribedError';
  }
}

export class TooManySubscriptionsError extends ClientError {
  constructor(limit: number) {
    super(
      'too_many_subscriptions',
      `This connection already has ${limit} topic subscriptions; unsubscribe from one first.`,
    );
    this.name = 'TooManySubscriptionsError';
  }
}

export class NotInRoomError extends ClientError {
  constructor(room: string) {
    super('not_in_room', `This connection is not in room "${room}"; join it first.`);
    this.name = 'NotInRoomError';
  }
}

export class TooManyRoomsError extends ClientError {
  constructor(limit: number) {
    super('too_many_rooms', `This connection is already in ${limit} rooms besides the default one; leave one first.`);
    this.name = 'TooManyRoomsError';
  }
}

export class RateLimitedError extends ClientError {
  constructor(message = 'Too many messages; slow down.') {
    super('rate_limited', message);
    this.name = 'RateLimitedError';
  }
}

export class UnauthorizedError extends ClientError {
  constructor(message = 'This connection is not allowed to do that.') {
    super('unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

/** Something this connection's kind of user may not do (a signed-in user's `reset`). */
export class ForbiddenError extends ClientError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}

/** A sign-in token that cannot be trusted; `reason` is for the log only, never for the client. */
export class InvalidIdentityTokenError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'InvalidIdentityTokenError';
  }
}

/** A `$connect` that must be refused: 400 for bad input, 401 for a token that cannot be resumed. */
export class HandshakeRejectedError extends Error {
  readonly statusCode: 400 | 401;

  constructor(statusCode: 400 | 401, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HandshakeRejectedError';
    this.statusCode = statusCode;
  }
}
