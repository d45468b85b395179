/** Typed frames of the Switchboard wire contract (shared/PROTOCOL.md), as the browser sees them. */

export interface ChatUser {
  userId: string;
  name: string;
}

export interface SessionFrame {
  type: 'session';
  userId: string;
  token: string;
  connectionId: string;
  connectedAt: string;
  resumed: boolean;
  cursor: number;
  total: number;
}

export interface PongFrame {
  type: 'pong';
  at: string;
}

export interface SubscribedFrame {
  type: 'subscribed';
  topic: string;
  seq: number;
}

export interface UnsubscribedFrame {
  type: 'unsubscribed';
  topic: string;
}

export interface AckFrame {
  type: 'ack';
  id: string;
  topic: string;
  seq: number;
}

export interface TopicMessageFrame {
  type: 'message';
  topic: string;
  message: unknown;
  seq: number;
  from: string | null;
  sentAt: string;
}

export interface ChatFrame {
  type: 'chat';
  id: string;
  seq: number;
  message: string;
  from: ChatUser;
  sentAt: string;
}

export interface HistoryFrame {
  type: 'history';
  messages: ChatFrame[];
}

export interface WhoFrame {
  type: 'who';
  users: Array<ChatUser & { connections: number }>;
}

export interface PresenceFrame {
  type: 'presence';
  event: 'join' | 'leave';
  user: ChatUser;
}

export interface DirectFrame {
  type: 'direct';
  message: unknown;
  sentAt: string;
}

export interface FeedFrame {
  type: 'feed';
  text: string;
  cursor: number;
  total: number;
}

export interface FeedEndFrame {
  type: 'feed-end';
  cursor: number;
  total: number;
}

export interface FeedStoppedFrame {
  type: 'feed-stopped';
  cursor: number;
}

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_frame'
  | 'unknown_action'
  | 'too_large'
  | 'rate_limited'
  | 'not_subscribed'
  | 'unauthorized'
  | 'internal';

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode | string;
  message: string;
  action?: string;
}

export type ServerFrame =
  | SessionFrame
  | PongFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | AckFrame
  | TopicMessageFrame
  | ChatFrame
  | HistoryFrame
  | WhoFrame
  | PresenceFrame
  | DirectFrame
  | FeedFrame
  | FeedEndFrame
  | FeedStoppedFrame
  | ErrorFrame;

export type ServerFrameType = ServerFrame['type'];

export type ClientFrame =
  | { action: 'hello' }
  | { action: 'ping' }
  | { action: 'subscribe'; topic: string; since?: number }
  | { action: 'unsubscribe'; topic: string }
  | { action: 'publish'; topic: string; message: unknown; id?: string }
  | { action: 'sendmessage'; message: string; id: string }
  | { action: 'history'; limit?: number; before?: number }
  | { action: 'who' }
  | { action: 'teleread' }
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
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return undefined;
  return value as ServerFrame;
}
