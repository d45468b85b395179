import { ClientError } from '../../domain/errors';
import type { ErrorFrame } from '../../domain/frames';
import { describeValidationError, isValidationError } from '../../validation';

/**
 * Maps anything thrown while handling a frame to the contract's `error` frame. The client's own mistakes
 * are explained; everything else is `internal` with a fixed message, so no internals ever leave.
 */
export function toErrorFrame(error: unknown, action: string | undefined): { frame: ErrorFrame; internal: boolean } {
  const withAction = action === undefined ? {} : { action };
  if (error instanceof ClientError) {
    return { frame: { type: 'error', code: error.code, message: error.message, ...withAction }, internal: false };
  }
  if (isValidationError(error)) {
    const message = describeValidationError(error, 'frame');
    return { frame: { type: 'error', code: 'invalid_frame', message, ...withAction }, internal: false };
  }
  return {
    frame: { type: 'error', code: 'internal', message: 'Something went wrong on our side; try again.', ...withAction },
    internal: true,
  };
}
