/** Typed frames of the Switchboard wire contract (shared/PROTOCOL.md), as the browser sees them. */

// The server's frame types are the domain's own: one definition of the wire contract for both ends.
export type {
  AckFrame,
  ChatFrame,
  ChatUser,
  DirectFrame,
  ErrorCode,
  ErrorFrame,
  FeedEndFrame,
  FeedFrame,
  FeedStoppedFrame,
  HistoryFrame,
  PongFrame,
  PresenceFrame,
  PresentUser,
  ServerFrame,
  SessionFrame,
  SubscribedFrame,
  TopicMessageFrame,
  UnsubscribedFrame,
  WhoFrame,
} from '../../../src/domain/frames';
import type { ServerFrame } from '../../../src/domain/frames';

export type ServerFrameType = ServerFrame['type'];

export type ClientFrame =
  | { action: 'hello' }
  | { action: 'ping' }
  | { action: 'subscribe'; topic: string; since?: number }
  | { action: 'unsubscribe'; topic: string }
  | { action: 'publish'; topic: string; message: unknown; id?: string }
  | { action: 'sendmessage'; message: string; id: string }
  | { action: 'history'; limit?: number; before?: number }
  | { action: 'who'; cursor?: string }
  | { action: 'teleread'; cursor?: number }
  | { action: 'stop' }
  | { action: 'reset' };

const KNOWN_TYPES: ReadonlySet<string> = new Set<ServerFrameType>([
  'session',
  'pong',
  'subscribed',
  'unsubscribed',
  'ack',
  'message',
  'chat',
  'history',
  'who',
  'presence',
  'direct',
  'feed',
  'feed-end',
  'feed-stopped',
  'error',
]);

/**
 * Parses one text frame from the server. Returns undefined for anything that is not a JSON object with a
 * known `type`: a newer server may add frames, and an old page should ignore them rather than fail.
 */
export function parseServerFrame(data: unknown): ServerFrame | undefined {
  const value = parseJsonObject(data);
  if (!value) return undefined;
  const type = value.type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return undefined;
  return value as unknown as ServerFrame;
}

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

/** Recognises a {@link GatewayErrorFrame}: an object with a string `message` and no `type`. */
export function parseGatewayError(data: unknown): GatewayErrorFrame | undefined {
  const value = parseJsonObject(data);
  if (!value || 'type' in value) return undefined;
  const { message, connectionId, requestId } = value;
  if (typeof message !== 'string') return undefined;
  return {
    message,
    ...(typeof connectionId === 'string' ? { connectionId } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

/** A text frame that holds a JSON object, or undefined. */
function parseJsonObject(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
