import type { ErrorCode } from './errors';

/** Every frame the server sends, as the wire contract defines it (the web client shares these types). */
export type ServerFrame =
  | SessionFrame
  | PongFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | TopicMessageFrame
  | SkippedFrame
  | AckFrame
  | ChatFrame
  | HistoryFrame
  | WhoFrame
  | PresenceFrame
  | DirectFrame
  | FeedFrame
  | FeedEndFrame
  | FeedStoppedFrame
  | ErrorFrame;

export type { ErrorCode };

/** A user as chat frames name them. */
export interface ChatUser {
  userId: string;
  name: string;
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

export interface HistoryFrame {
  type: 'history';
  messages: ChatFrame[];
  /** Present when older messages were left out to keep the reply under the byte cap: ask again with it. */
  before?: number;
}

export interface WhoFrame {
  type: 'who';
  /** A user with connections on two pages appears on both: add up `connections`. */
  users: PresentUser[];
  /** Present when more members may follow: send `who` again with it. */
  cursor?: string;
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

/** A topic `seq` that will never hold a message (its publisher stopped after drawing it); replays report it. */
export interface SkippedFrame {
  type: 'skipped';
  topic: string;
  seq: number;
}

export interface ChatFrame {
  type: 'chat';
  id: string;
  seq: number;
  message: string;
  from: ChatUser;
  sentAt: string;
}

export interface PresenceFrame {
  type: 'presence';
  event: 'join' | 'leave';
  user: ChatUser;
}

export interface PresentUser extends ChatUser {
  connections: number;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
}
