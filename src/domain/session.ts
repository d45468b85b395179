import { userIdOwnPart } from '../../packages/client/src/wire/rules';
import type { Dependencies } from './dependencies';
import { UnauthorizedError } from './errors';
import type { Connection, User } from './model';

/** The connection and its user; a connection whose records are gone must reconnect. */
export async function requireSession(
  deps: Pick<Dependencies, 'connections' | 'users'>,
  connectionId: string,
): Promise<{ connection: Connection; user: User }> {
  const connection = await deps.connections.get(connectionId);
  const user = connection && (await deps.users.get(connection.userId));
  if (!connection || !user) {
    throw new UnauthorizedError('This connection has no session any more; reconnect.');
  }
  return { connection, user };
}

/** A brand-new anonymous user (not stored yet): a random id, and a guest name unless one was given. */
export function newUser(deps: Pick<Dependencies, 'ids' | 'clock'>, name: string | undefined): User {
  const userId = deps.ids.next();
  return {
    userId,
    name: name ?? guestName(userId),
    createdAt: deps.clock.now().toISOString(),
    cursor: 0,
  };
}

/**
 * The name of a user who gave none: `guest-` and the first letters of their id's own part (an anonymous
 * user's tag begins the same; a name proves nothing, the tag does).
 */
export function guestName(userId: string): string {
  return `guest-${userIdOwnPart(userId)
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 6)}`;
}
