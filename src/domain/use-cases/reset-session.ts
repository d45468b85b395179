import type { Dependencies } from '../dependencies';
import { ForbiddenError, UnauthorizedError } from '../errors';
import type { Connection } from '../model';
import { newUser, requireSession } from '../session';
import { type DisconnectPorts, disconnect, roomsOf } from './disconnect';

/** What a reset touches: the users, the connection's records, the other tabs (closed) and presence changes. */
export type ResetSessionPorts = DisconnectPorts & Pick<Dependencies, 'users' | 'ids' | 'notifier'>;

/**
 * Refused (`forbidden`) for a signed-in connection, before anything is written.
 *
 * Forgets the connection's user (identity and feed cursor; its tokens are refused from now on) and moves
 * the connection to a brand-new anonymous user. In every room of the connection both users are marked
 * changed, and the presence worker tells each room: the old user left (once no tab of theirs is left) and
 * the new one joined.
 *
 * The old user's other tabs have no user any more: their records are removed (which marks the old user in
 * their rooms too) and the connections closed. A closed tab that reconnects with the old token is refused
 * (401) and starts as a new user of its own.
 *
 * A close racing the reset is safe whichever comes first: the worker reads the records, not this order.
 * Closed before the move, `$disconnect` marked the old user; closed after it, `$disconnect` marked the new
 * user, and the new user is forgotten here as well.
 */
export async function resetSession(deps: ResetSessionPorts, connectionId: string): Promise<Connection> {
  const { connection, user } = await requireSession(deps, connectionId);
  if (connection.signedIn) {
    // A signed-in user's id comes from their identity provider: a reset could only forget their cursor and
    // hand them a stranger's anonymous identity on this tab, while their next sign-in brings the old one back.
    throw new ForbiddenError('A signed-in user cannot reset their identity; sign out instead.');
  }
  await deps.users.delete(user.userId);
  const fresh = newUser(deps, undefined);
  await deps.users.create(fresh);
  const moved: Connection = { ...connection, userId: fresh.userId, name: fresh.name, resumed: false };
  const closedMeanwhile = () => new UnauthorizedError('This connection closed during the reset; reconnect.');
  const channels = await deps.connections.reassign(moved, user.userId);
  if (!channels) {
    await deps.users.delete(fresh.userId);
    throw closedMeanwhile();
  }
  await endOtherTabs(deps, user.userId);
  const rooms = roomsOf(channels);
  if (rooms.length > 0) {
    await deps.presenceChanges.mark(
      rooms.flatMap((room) => [
        { room, userId: user.userId },
        { room, userId: fresh.userId, joinedBy: connectionId },
      ]),
    );
  }
  if ((await deps.connections.get(connectionId))?.userId !== fresh.userId) {
    await deps.users.delete(fresh.userId);
    throw closedMeanwhile();
  }
  return moved;
}

/**
 * Removes and closes every connection still filed under a reset user (this one has moved already). The
 * records go first: the close is asynchronous (its `$disconnect` comes later and finds nothing), and a
 * close that fails leaves a connection that can do nothing but reconnect (it has no records).
 */
async function endOtherTabs(deps: ResetSessionPorts, userId: string): Promise<void> {
  for (const other of await deps.connections.listByUser(userId)) {
    await disconnect(deps, other.connectionId);
    await deps.notifier.close(other.connectionId).catch(() => undefined);
  }
}
