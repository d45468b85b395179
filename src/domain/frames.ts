import type { ErrorCode } from './errors';

/** Every frame the server sends, as the wire contract defines it. */
export type ServerFrame =
  | SessionFrame
  | { type: 'pong'; at: string }
  | { type: 'subscribed'; topic: string; seq: number }
  | { type: 'unsubscribed'; topic: string }
  | TopicMessageFrame
  | { type: 'ack'; id: string; topic: string; seq: number }
  | ChatFrame
  | { type: 'history'; messages: ChatFrame[] }
  | { type: 'who'; users: PresentUser[] }
  | PresenceFrame
  | { type: 'direct'; message: unknown; sentAt: string }
  | { type: 'feed'; text: string; cursor: number; total: number }
  | { type: 'feed-end'; cursor: number; total: number }
  | { type: 'feed-stopped'; cursor: number }
  | ErrorFrame;

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
  from: { userId: string; name: string };
  sentAt: string;
}

export interface PresenceFrame {
  type: 'presence';
  event: 'join' | 'leave';
  user: { userId: string; name: string };
}

export interface PresentUser {
  userId: string;
  name: string;
  connections: number;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
}
