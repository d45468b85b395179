import type { Dependencies } from '../dependencies';
import { HandshakeRejectedError } from '../errors';
import { DEFAULT_ROOM, isValidTopicName, parseDisplayName, parseHandshakeRoom } from '../limits';
import { type Connection, roomChannel, topicChannel, type User } from '../model';
import { guestName, newUser } from '../session';
import { providerDisplayName, type SignedInIdentity, signedInUserId } from '../signed-in-identity';
import { roomLimit } from './join-room';
import { subscriptionLimit } from './subscribe';

export interface ConnectRequest {
  connectionId: string;
  connectedAt: Date;
  /** A session token from an earlier `session` frame (ignored when the handshake is signed in). */
  token?: string;
  /** The identity the gateway's authorization established (`AuthMode` jwt or iam); absent: anonymous. */
  identity?: SignedInIdentity;
  name?: string;
  topicName?: string;
  /** `?room=`: a room to join at connect, besides the default room. */
  room?: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface ConnectResult {
  connection: Connection;
  user: User;
  /** The rooms the connection is in. */
  rooms: string[];
}

/** What a handshake touches: the user, the connection's records, and the presence changes it marks. */
export type ConnectPorts = Pick<
  Dependencies,
  | 'users'
  | 'connections'
  | 'subscriptions'
  | 'presenceChanges'
  | 'tokens'
  | 'ids'
  | 'clock'
  | 'settings'
  | 'signInExpiry'
>;

/**
 * Accepts a handshake: the signed-in user its identity names (created at its first connection), or the user
 * its token resumes, or a new anonymous one; registers the
 * connection in the default room (unless the deployment turned that off), in the `?room=` room and the
 * `topicName` topic, and marks the user's presence changed in those rooms for the presence worker. Nothing
 * here grows with a room. Everything is checked before anything is written, so a refused handshake leaves
 * no trace; a signed-in one's expiry check is scheduled before the first write, so a failure to schedule it
 * leaves no trace either. A write that fails fails the handshake (500) after removing what the connection's
 * writes left; what a failed removal leaves expires with the connection (TTL), or a broadcast's 410 removes it.
 * A new user's handshake makes two round trips: the user, connection and membership writes side by side, then
 * the presence mark, which must follow the membership it announces.
 */
export async function connect(deps: ConnectPorts, request: ConnectRequest): Promise<ConnectResult> {
  const name = request.name === undefined ? undefined : parseDisplayName(request.name);
  if (request.topicName !== undefined && !isValidTopicName(request.topicName)) {
    throw new HandshakeRejectedError(400, 'topicName must be 1 to 128 characters of A-Z a-z 0-9 _ - . : /');
  }
  const requestedRoom = request.room === undefined ? undefined : parseHandshakeRoom(request.room);
  // Before the first write: a handshake that fails here leaves nothing behind (its `$disconnect` never runs),
  // and a check that outlives a failed handshake finds no connection and ends there.
  const expiresAt = request.identity?.expiresAt;
  if (expiresAt !== undefined) {
    await deps.signInExpiry.schedule({ connectionId: request.connectionId, expiresAt: expiresAt.toISOString() });
  }
  const { user, resumed, userWrite } = request.identity
    ? await signedInUser(deps, request.identity, name)
    : await anonymousUser(deps, request.token, name);

  const connection: Connection = {
    connectionId: request.connectionId,
    userId: user.userId,
    name: name ?? user.name,
    connectedAt: request.connectedAt.toISOString(),
    resumed,
    ...(request.identity === undefined ? {} : { signedIn: signedInRecord(request.identity) }),
    ...(request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp }),
    ...(request.userAgent === undefined ? {} : { userAgent: request.userAgent }),
  };
  const rooms = new Set<string>();
  if (deps.settings.joinDefaultRoomOnConnect !== false) rooms.add(DEFAULT_ROOM);
  if (requestedRoom !== undefined) rooms.add(requestedRoom);
  // The default room counts against no cap, so it is written with the connection, in one batch; a new user's
  // record goes beside them.
  try {
    await Promise.all([
      userWrite?.(),
      deps.connections.register(connection, rooms.has(DEFAULT_ROOM) ? [roomChannel(DEFAULT_ROOM)] : []),
    ]);
  } catch (error) {
    // Its `$disconnect` never runs: what the side-by-side writes left goes now, as far as it can.
    await deps.connections.remove(connection.connectionId).catch(() => undefined);
    throw error;
  }
  for (const room of rooms) {
    if (room === DEFAULT_ROOM) continue;
    // A named room counts against the connection's room cap (at least 1, so the first one fits).
    await deps.subscriptions.subscribe(roomChannel(room), connection, { counter: 'rooms', limit: roomLimit(deps) });
  }
  if (request.topicName !== undefined) {
    // Counts against the connection's cap like any subscription (the cap is at least 1, so it fits).
    await deps.subscriptions.subscribe(topicChannel(request.topicName), connection, {
      counter: 'topics',
      limit: subscriptionLimit(deps),
    });
  }
  if (rooms.size > 0) {
    await deps.presenceChanges.mark(
      [...rooms].map((room) => ({ room, userId: user.userId, joinedBy: connection.connectionId })),
    );
  }
  return { connection, user, rooms: [...rooms] };
}

/** The user of a handshake, and the write of a new user's record when it is still to be made. */
interface HandshakeUser {
  user: User;
  resumed: boolean;
  /** A new user's record, to write beside the connection's. */
  userWrite?: () => Promise<void>;
}

async function anonymousUser(
  deps: ConnectPorts,
  token: string | undefined,
  name: string | undefined,
): Promise<HandshakeUser> {
  if (token !== undefined) {
    const user = await resume(deps, token);
    await deps.users.touch(user.userId, name ?? user.name);
    return { user, resumed: true };
  }
  // A new user's id was drawn just now and nothing refers to it yet, so its record need not be written before
  // the connection's: the two go side by side, one round trip to the table instead of two.
  const user = newUser(deps, name);
  return { user, resumed: false, userWrite: () => deps.users.create(user) };
}

/**
 * The user of a signed-in identity, whose id is derived from the identity, never drawn: its first handshake
 * creates it, every later one (from any device) resumes it. The provider's name, when it gives an
 * acceptable one, is the user's name; `?name=` still names this connection.
 */
async function signedInUser(
  deps: ConnectPorts,
  identity: SignedInIdentity,
  name: string | undefined,
): Promise<HandshakeUser> {
  const providerName = providerDisplayName(identity);
  const userId = signedInUserId(identity);
  const fresh: User = {
    userId,
    name: providerName ?? name ?? guestName(userId),
    createdAt: deps.clock.now().toISOString(),
    cursor: 0,
  };
  const { user, created } = await deps.users.ensure(fresh, {
    rename: providerName !== undefined || name !== undefined,
  });
  return { user, resumed: !created };
}

function signedInRecord(identity: SignedInIdentity): NonNullable<Connection['signedIn']> {
  return {
    method: identity.method,
    ...(identity.expiresAt === undefined ? {} : { expiresAt: identity.expiresAt.toISOString() }),
  };
}

async function resume(deps: Pick<Dependencies, 'tokens' | 'users'>, token: string): Promise<User> {
  const claims = await deps.tokens.verify(token);
  const user = claims && (await deps.users.get(claims.userId));
  if (!user) throw new HandshakeRejectedError(401, 'The session token is invalid, expired or was reset.');
  return user;
}
