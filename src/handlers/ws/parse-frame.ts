import { ClientError, InvalidFrameError } from '../../domain/errors';
import type { WebSocketEvent } from './ws-event';

export type RawFrame = Record<string, unknown>;

/** The JSON object a client sent; `invalid_json` for anything that is not JSON, `invalid_frame` for non-objects. */
export function parseFrame(event: WebSocketEvent): RawFrame {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (body === undefined || body === null || body === '')
    throw new ClientError('invalid_json', 'The frame is empty: send a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ClientError('invalid_json', 'The frame is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidFrameError('A frame must be a JSON object.');
  }
  return value as RawFrame;
}

const ECHO_LIMIT = 64;

/** The frame's `action` when it is a string, cut short: it is echoed in error frames. */
export function actionOf(frame: RawFrame | undefined): string | undefined {
  return typeof frame?.action === 'string' ? frame.action.slice(0, ECHO_LIMIT) : undefined;
}
