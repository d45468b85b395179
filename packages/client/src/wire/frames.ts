/**
 * The wire contract's frames and error codes (docs/protocol.md), the one definition that the server
 * (src/domain/frames.ts) and this client share. Types only, apart from the list of known frame types.
 *
 * Adding to the contract is one line each: an error code to {@link ERROR_CODES}, a frame to
 * {@link ServerFrame} (and its `type` to {@link SERVER_FRAME_TYPES}, which the compiler keeps complete),
 * an optional field to the frame that carries it.
 */

/** Error codes of the `error` frame. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_frame',
  'unknown_action',
  'too_large',
  'rate_limited',
  'not_subscribed',
  'too_many_subscriptions',
  'not_in_room',
  'too_many_rooms',
  'unauthorized',
  'forbidden',
  'token_expired',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every frame the server sends. */
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
  | JoinedFrame
  | LeftFrame
  | DirectFrame
  | FeedFrame
  | FeedEndFrame
  | FeedStoppedFrame
  | ErrorFrame;

export type ServerFrameType = ServerFrame['type'];

/** The `type` of every server frame; a missing or extra entry does not compile. */
export const SERVER_FRAME_TYPES: { readonly [K in ServerFrameType]: true } = {
  session: true,
  pong: true,
  subscribed: true,
  unsubscribed: true,
  message: true,
  skipped: true,
  ack: true,
  chat: true,
  history: true,
  who: true,
  presence: true,
  joined: true,
  left: true,
  direct: true,
  feed: true,
  'feed-end': true,
  'feed-stopped': true,
  error: true,
};

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
  room: string;
  messages: ChatFrame[];
  /** Present when older messages were left out to keep the reply under the byte cap: ask again with it. */
  before?: number;
}

export interface WhoFrame {
  type: 'who';
  room: string;
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
  /** The room the message was sent in (`seq` counts per room). */
  room: string;
  id: string;
  seq: number;
  message: string;
  from: ChatUser;
  sentAt: string;
}

/**
 * What changed in a room's membership over one presence interval: a member gets at most one per room per
 * interval. Join and leave are per user (its first connection in the room opened, its last one closed).
 */
export interface PresenceFrame {
  type: 'presence';
  room: string;
  /** Rises with each presence frame of the room: apply a frame only when its `tick` is above the last one applied. */
  tick: number;
  /** Users in the room after this change. */
  count: number;
  /** Users who arrived over the interval; absent in a room above the roster threshold (counts only). Never the receiver. */
  joined?: ChatUser[];
  /** Users who left over the interval; absent in a room above the roster threshold. Never the receiver. */
  left?: ChatUser[];
}

/** Reply to `join`: the connection is in the room, under `name`. */
export interface JoinedFrame {
  type: 'joined';
  room: string;
  name: string;
}

/** Reply to `leave`. */
export interface LeftFrame {
  type: 'left';
  room: string;
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

/** Every frame a client sends. */
export type ClientFrame =
  | { action: 'hello' }
  | { action: 'ping' }
  | { action: 'subscribe'; topic: string; since?: number }
  | { action: 'unsubscribe'; topic: string }
  | { action: 'publish'; topic: string; message: unknown; id?: string }
  | { action: 'join'; room: string; name?: string }
  | { action: 'leave'; room: string }
  | { action: 'sendmessage'; message: string; id?: string; room?: string }
  | { action: 'send'; message: string; id?: string; room?: string }
  | { action: 'history'; limit?: number; before?: number; room?: string }
  | { action: 'who'; cursor?: string; room?: string }
  | { action: 'teleread'; cursor?: number }
  | { action: 'stop' }
  | { action: 'reset' };
