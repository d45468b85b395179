import { SERVER_FRAME_TYPES, type ServerFrame } from './wire/frames.js';

/** What one text frame from the server turned out to be. */
export type ParsedFrame =
  | { kind: 'frame'; frame: ServerFrame }
  | { kind: 'gateway-error'; frame: GatewayErrorFrame }
  /** A frame with a `type` this client does not know: a newer server; ignored, not an error. */
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; reason: string };

/**
 * API Gateway's own error frame, sent instead of a reply when it could not route a message (`Forbidden`)
 * or the integration failed (`Internal server error`). It has no `type` and does not say which request it
 * answers.
 */
export interface GatewayErrorFrame {
  message: string;
  connectionId?: string;
  requestId?: string;
}

/**
 * Parses one frame from the server and checks the fields the client relies on, so a malformed frame is
 * reported (never thrown into the application's handlers) instead of corrupting the client's state.
 */
export function parseServerFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') return { kind: 'malformed', reason: 'not a text frame' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'malformed', reason: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  if (!('type' in record)) {
    const { message, connectionId, requestId } = record;
    if (typeof message !== 'string') return { kind: 'malformed', reason: 'no "type"' };
    return {
      kind: 'gateway-error',
      frame: {
        message,
        ...(typeof connectionId === 'string' ? { connectionId } : {}),
        ...(typeof requestId === 'string' ? { requestId } : {}),
      },
    };
  }
  const type = record.type;
  if (typeof type !== 'string') return { kind: 'malformed', reason: '"type" is not a string' };
  if (!Object.hasOwn(SERVER_FRAME_TYPES, type)) return { kind: 'unknown', type };
  const problem = fieldProblem(type as ServerFrame['type'], record);
  if (problem) return { kind: 'malformed', reason: `${type}: ${problem}` };
  return { kind: 'frame', frame: record as unknown as ServerFrame };
}

/** Recognises a {@link GatewayErrorFrame}: an object with a string `message` and no `type`. */
export function parseGatewayError(data: unknown): GatewayErrorFrame | undefined {
  const parsed = parseServerFrame(data);
  return parsed.kind === 'gateway-error' ? parsed.frame : undefined;
}

const isSeq = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const isString = (value: unknown): boolean => typeof value === 'string';
const isUser = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>).userId === 'string' &&
  typeof (value as Record<string, unknown>).name === 'string';
const isOptionalUsers = (value: unknown): boolean =>
  value === undefined || (Array.isArray(value) && value.every(isUser));

/** The fields each frame must have for the client to act on it; other fields are passed through unchecked. */
const REQUIRED: { [K in ServerFrame['type']]?: Record<string, (value: unknown) => boolean> } = {
  session: { userId: isString, token: isString, connectionId: isString, cursor: isSeq, total: isSeq },
  subscribed: { topic: isString, seq: isSeq },
  unsubscribed: { topic: isString },
  message: { topic: isString, seq: isSeq },
  skipped: { topic: isString, seq: isSeq },
  ack: { id: isString, topic: isString, seq: isSeq },
  chat: {
    room: isString,
    id: isString,
    seq: isSeq,
    message: isString,
    from: (v) => typeof v === 'object' && v !== null,
  },
  history: { room: isString, messages: Array.isArray },
  who: { room: isString, users: Array.isArray },
  presence: { room: isString, tick: isSeq, count: isSeq, joined: isOptionalUsers, left: isOptionalUsers },
  joined: { room: isString, name: isString },
  left: { room: isString },
  feed: { text: isString, cursor: isSeq, total: isSeq },
  'feed-end': { cursor: isSeq, total: isSeq },
  'feed-stopped': { cursor: isSeq },
  error: { code: isString, message: isString },
};

function fieldProblem(type: ServerFrame['type'], record: Record<string, unknown>): string | undefined {
  for (const [field, valid] of Object.entries(REQUIRED[type] ?? {})) {
    if (!valid(record[field])) return `"${field}" is missing or of the wrong kind`;
  }
  return undefined;
}
