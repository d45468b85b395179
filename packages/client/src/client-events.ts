import type { OutgoingChat } from './chat-outbox.js';
import type { RoomInfo } from './chat-rooms.js';
import type { FeedBuffer, FeedUpdate } from './feed-buffer.js';
import type { ConnectionEvent, ConnectionState } from './machine.js';
import type { GatewayErrorFrame } from './parse-frames.js';
import type { PublishFailure, PublishOutcome } from './publish-outbox.js';
import type { TokenReason } from './token-provider.js';
import type { TopicStatus } from './topic-streams.js';
import type {
  AckFrame,
  ChatFrame,
  DirectFrame,
  ErrorFrame,
  HistoryFrame,
  JoinedFrame,
  LeftFrame,
  PresenceFrame,
  ServerFrame,
  SessionFrame,
  SubscribedFrame,
  TopicMessageFrame,
  WhoFrame,
} from './wire/frames.js';

/** The connection as a page shows it; {@link ConnectionState} is the machine's finer state. */
export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface StatusChange {
  status: ConnectionStatus;
  /** Why, in words, when it is not obvious (the next retry, an error). */
  detail?: string;
  /** Milliseconds until the next attempt, while reconnecting. */
  retryInMs?: number;
}

/** The outcome of one chat message: the server stored it (its echo came back), or refused it. */
export type ChatOutcome =
  | { id: string; status: 'acked'; seq: number }
  | { id: string; status: 'failed'; error: PublishFailure };

export interface ClientEvents extends Record<string, unknown> {
  /** Every transition of the connection machine. */
  state: { from: ConnectionState; event: ConnectionEvent; to: ConnectionState };
  status: StatusChange;
  session: { frame: SessionFrame; newIdentity: boolean };
  /** Every well-formed server frame, before it is acted on. */
  frame: ServerFrame;
  subscribed: SubscribedFrame;
  topics: string[];
  /** A topic's delivery status: `live` once nothing published from now on can be missed. */
  topicStatus: { topic: string; status: TopicStatus };
  /** A topic message, per topic in seq order, each seq once, across reconnects. */
  topicMessage: TopicMessageFrame;
  /**
   * Seqs that will never hold a message, in their place in the order: ones the server reported `skipped`
   * (a publisher stopped after drawing the seq), or a gap it could not fill in time. Not waited for.
   */
  gap: { topic: string; from: number; to: number };
  ack: AckFrame;
  publishOutcome: PublishOutcome;
  chat: { frame: ChatFrame; own: boolean };
  chatOutcome: ChatOutcome;
  history: HistoryFrame;
  /** Everyone in a room, once every page of the answer has come (so never with a `cursor`). */
  who: WhoFrame;
  /**
   * A room's joins and leaves over one interval, or its count alone: per room, only a frame whose `tick` is
   * above the last applied one on this connection (a stale or repeated frame is dropped).
   */
  presence: PresenceFrame;
  /** A room's count or members changed (a `who` answer, or a presence frame applied to it). */
  roster: RoomInfo;
  /** The rooms wanted, or the state of one, changed (joined, confirmed, left, refused, connection lost). */
  rooms: RoomInfo[];
  /** The server confirmed a `join` (also after each reconnect). */
  joined: JoinedFrame;
  /** The server confirmed a `leave`. */
  left: LeftFrame;
  /** The server refused to join a room (`too_many_rooms`, `invalid_frame`): the room is dropped. */
  roomRefused: { room: string; error: ErrorFrame };
  direct: DirectFrame;
  outbox: OutgoingChat[];
  feed: { update: FeedUpdate; buffer: FeedBuffer };
  reading: boolean;
  feedEnd: FeedBuffer;
  /** The server's `error` frame. */
  error: ErrorFrame;
  /** API Gateway's own error frame; whatever was waiting for an answer has been settled or resent. */
  gatewayError: GatewayErrorFrame;
  /** A frame from the server that is not valid: ignored, and reported here rather than thrown. */
  malformedFrame: { reason: string; data: unknown };
  /** The server refused a new display name (the connection succeeded without it); the old name stays. */
  nameRefused: string;
  /** The token provider threw or returned no token; the attempt is retried after the backoff (or, for a refresh, later). */
  tokenError: { reason: TokenReason; error: unknown };
  /** Something a person should know that is not a server error frame. */
  notice: string;
}
