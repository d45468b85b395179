import type { Dependencies } from '../dependencies';
import { HandshakeRejectedError } from '../errors';
import { isValidTopicName, parseDisplayName } from '../limits';
import { CHAT_ROOM, type Connection, topicChannel, type User } from '../model';
import { newUser } from '../session';
import { broadcast } from './broadcast';
import { legacyPresence } from './legacy-presence';
import { subscriptionLimit } from './subscribe';

export interface ConnectRequest {
  connectionId: string;
  connectedAt: Date;
  /** A session token from an earlier `session` frame. */
  token?: string;
  name?: string;
  topicName?: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface ConnectResult {
  connection: Connection;
  user: User;
}

/**
 * Accepts a handshake: resumes the user its token names or creates a new anonymous one, registers the
 * connection in the chat room (and the `topicName` topic), and announces the user if this is their
 * first connection. Everything is checked before anything is written, so a refused handshake leaves
 * no trace.
 */
export async function connect(deps: Dependencies, request: ConnectRequest): Promise<ConnectResult> {
  const name = request.name === undefined ? undefined : parseDisplayName(request.name);
  if (request.topicName !== undefined && !isValidTopicName(request.topicName)) {
    throw new HandshakeRejectedError(400, 'topicName must be 1 to 128 characters of A-Z a-z 0-9 _ - . : /');
  }
  const resumedUser = request.token === undefined ? undefined : await resume(deps, request.token);
  const user = resumedUser ?? newUser(deps, name);
  if (resumedUser) {
    await deps.users.touch(user.userId, name ?? user.name);
  } else {
    await deps.users.create(user);
  }

  const connection: Connection = {
    connectionId: request.connectionId,
    userId: user.userId,
    name: name ?? user.name,
    connectedAt: request.connectedAt.toISOString(),
    resumed: resumedUser !== undefined,
    ...(request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp }),
    ...(request.userAgent === undefined ? {} : { userAgent: request.userAgent }),
  };
  await deps.connections.register(connection);
  await deps.subscriptions.subscribe(CHAT_ROOM, connection);
  if (request.topicName !== undefined) {
    // Counts against the connection's cap like any subscription (the cap is at least 1, so it fits).
    await deps.subscriptions.subscribe(topicChannel(request.topicName), connection, {
      counter: 'topics',
      limit: subscriptionLimit(deps),
    });
  }

  const open = await deps.users.addConnections(user.userId, 1);
  if (open === 1) {
    await broadcast(deps, CHAT_ROOM, legacyPresence('join', { userId: user.userId, name: connection.name }), {
      userIds: [user.userId],
    });
  }
  return { connection, user };
}

async function resume(deps: Dependencies, token: string): Promise<User> {
  const claims = await deps.tokens.verify(token);
  const user = claims && (await deps.users.get(claims.userId));
  if (!user) throw new HandshakeRejectedError(401, 'The session token is invalid, expired or was reset.');
  return user;
}
