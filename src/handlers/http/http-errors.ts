import type { MiddlewareObj, Request } from '@middy/core';
import { ClientError } from '../../domain/errors';
import { describeValidationError, isValidationError } from '../../validation';

/** An HTTP error whose `code` and `message` are safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const MAX_BODY_BYTES = 128 * 1024;

/** Refuses a body over 128 KB with 413 before it is parsed. Runs before the JSON body parser. */
export function bodySizeLimit(): MiddlewareObj<{ body?: unknown; isBase64Encoded?: boolean }> {
  return {
    before: ({ event }: Request<{ body?: unknown; isBase64Encoded?: boolean }>) => {
      if (typeof event.body !== 'string') return;
      const bytes = event.isBase64Encoded ? Math.floor((event.body.length * 3) / 4) : Buffer.byteLength(event.body);
      if (bytes > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', `The body is over ${MAX_BODY_BYTES} bytes.`);
    },
  };
}

/**
 * Maps every error of an HTTP handler to `{"code","message"}` with the right status, in one place, for
 * `@middy/http-error-handler` to send: the caller's mistakes are explained, anything else is a 500 that
 * says nothing about internals. Use it after `httpErrorHandler()` so that its `onError` runs first.
 */
export function httpErrorBodies(log: (error: unknown) => void): MiddlewareObj {
  return {
    onError: (request: Request) => {
      const { statusCode, code, message } = describe(request.error);
      if (statusCode >= 500) log(request.error);
      request.error = Object.assign(new Error(JSON.stringify({ code, message })), { statusCode, expose: true });
    },
  };
}

function describe(error: unknown): { statusCode: number; code: string; message: string } {
  if (error instanceof HttpError) return error;
  if (error instanceof ClientError) {
    return { statusCode: error.code === 'too_large' ? 413 : 400, code: error.code, message: error.message };
  }
  if (isValidationError(error)) {
    return { statusCode: 400, code: 'invalid_request', message: describeValidationError(error, 'body') };
  }
  const middyError = error as { statusCode?: number; message?: string } | undefined;
  if (middyError?.statusCode === 415 && middyError.message?.includes('JSON')) {
    return { statusCode: 400, code: 'invalid_json', message: 'The body is not valid JSON.' };
  }
  return { statusCode: 500, code: 'internal', message: 'Something went wrong on our side; try again.' };
}
