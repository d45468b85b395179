import { DEFAULT_ROOM } from '../../packages/client/src/wire/rules';

export { DEFAULT_ROOM };

/** An anonymous user: the identity a session token resumes, and where their tele-read stopped. */
export interface User {
  userId: string;
  name: string;
  createdAt: string;
  /** Position after the last article character delivered to this user. */
  cursor: number;
  /** The article revision `cursor` counts in (absent until the first chunk, or for older sessions). */
  feedRevision?: string;
}

/** One open WebSocket connection of a user. */
export interface Connection {
  connectionId: string;
  userId: string;
  /** Display name on this connection (a user may use different names in different tabs). */
  name: string;
  connectedAt: string;
  /** Whether the handshake resumed an existing user with a token. */
  resumed: boolean;
  sourceIp?: string;
  userAgent?: string;
  /** Present when the handshake was signed in (`AuthMode` jwt or iam): how, and until when (ISO) if it expires. */
  signedIn?: { method: 'jwt' | 'iam'; expiresAt?: string };
}

/** A place messages are published to and fanned out from: a topic, or a chat room. */
export type Channel = string;

/** The default room's channel. It keeps the name it had before rooms had names, so that stored data stays valid. */
export const CHAT_ROOM: Channel = 'chat';

const ROOM_PREFIX = 'room:';

/** The channel of a chat room (its subscribers are the room's connections, its log the room's messages). */
export function roomChannel(room: string): Channel {
  return room === DEFAULT_ROOM ? CHAT_ROOM : `${ROOM_PREFIX}${room}`;
}

/** The room a channel belongs to; `undefined` for a topic's channel. */
export function roomOfChannel(channel: Channel): string | undefined {
  if (channel === CHAT_ROOM) return DEFAULT_ROOM;
  return channel.startsWith(ROOM_PREFIX) ? channel.slice(ROOM_PREFIX.length) : undefined;
}

export function topicChannel(topic: string): Channel {
  return `topic:${topic}`;
}

/** Who published a stored message: a user, or a back-end service (null). */
export interface Author {
  userId: string;
  name: string;
}

/** A message kept in a channel's log, numbered by `seq` (1, 2, 3, ... without gaps per channel). */
export interface StoredMessage {
  channel: Channel;
  seq: number;
  id: string;
  payload: unknown;
  from: Author | null;
  sentAt: string;
}

/**
 * A `seq` that will never hold a message: its publisher stopped (or lost its idempotency claim) after
 * drawing it. Replays report it, so that no client waits for it forever.
 */
export interface SkippedSeq {
  channel: Channel;
  seq: number;
  skipped: true;
}

/** What a replay reads from a channel's log: messages, and the numbers that were skipped. */
export type LogEntry = StoredMessage | SkippedSeq;

export function isSkipped(entry: LogEntry): entry is SkippedSeq {
  return 'skipped' in entry && entry.skipped === true;
}

/** A connection subscribed to a channel, as the fan-out needs it. */
export interface Subscriber {
  connectionId: string;
  userId: string;
  name: string;
  connectedAt: string;
}

/**
 * API Gateway answers 410 for a connection whose `$connect` is still running, exactly as for one that is
 * gone; a connection younger than the grace period is therefore never removed on a 410 (its `$disconnect`
 * will come). The default outlasts API Gateway's 29-second integration timeout.
 */
export const CONNECT_GRACE_MS = 30_000;

/** API Gateway closes every WebSocket connection 2 hours after its `$connect`. */
export const MAX_CONNECTION_MS = 2 * 60 * 60_000;

export function isPastConnectGrace(
  connection: { connectedAt: string },
  now: Date,
  graceMs = CONNECT_GRACE_MS,
): boolean {
  return now.getTime() - Date.parse(connection.connectedAt) > graceMs;
}
