import type { Dependencies } from '../dependencies';
import { UnauthorizedError } from '../errors';
import { CHAT_ROOM, type Connection } from '../model';
import { newUser, requireSession } from '../session';
import { broadcast } from './broadcast';
import { disconnect } from './disconnect';
import type { FanOutPorts } from './fan-out';
import { legacyPresence } from './legacy-presence';

/**
 * Forgets the connection's user (identity and feed cursor; its tokens are refused from now on) and
 * moves the connection to a brand-new anonymous user, announced to the rest of the room as a leave and a
 * join (not to the old or the new user's own connections). Two room-wide broadcasts, so a reset draws
 * from the connection's chat budget (`ROUTE_CLASSES`).
 *
 * The old user's other tabs have no user any more: they are ended before the leave is announced (their
 * records removed, so `who` and presence agree at once, and the connections closed). A closed tab that
 * reconnects with the old token is refused (401) and starts as a new user of its own.
 */
export async function resetSession(
  deps: Pick<Dependencies, 'ids'> & FanOutPorts,
  connectionId: string,
): Promise<Connection> {
  const { connection, user } = await requireSession(deps, connectionId);
  const counted = await deps.users.delete(user.userId);
  const fresh = newUser(deps, undefined);
  await deps.users.create(fresh);
  const moved: Connection = { ...connection, userId: fresh.userId, name: fresh.name, resumed: false };
  const eitherUser = { userIds: [fresh.userId, user.userId] };
  const leave = () =>
    broadcast(deps, CHAT_ROOM, legacyPresence('leave', { userId: user.userId, name: connection.name }), eitherUser);
  const closedMeanwhile = () => new UnauthorizedError('This connection closed during the reset; reconnect.');
  if (!(await deps.connections.reassign(moved, user.userId))) {
    // The connection closed before the move. If its `$disconnect` counted the old user down before the delete,
    // it announced the leave (the delete saw 0); after the delete, it found no user and announced nothing.
    await deps.users.delete(fresh.userId);
    if (counted > 0) await leave();
    throw closedMeanwhile();
  }
  await deps.subscriptions.subscribe(CHAT_ROOM, moved);
  await deps.users.addConnections(fresh.userId, 1);
  await endOtherTabs(deps, user.userId);
  await leave();
  const join = legacyPresence('join', { userId: fresh.userId, name: fresh.name });
  await broadcast(deps, CHAT_ROOM, join, eitherUser);
  if ((await deps.connections.get(connectionId))?.userId !== fresh.userId) {
    // Closed after the move: its `$disconnect` may have come before the count above and counted nothing, so
    // the join just announced would never be followed by a leave. End the new user here (a second leave at
    // worst, never a user left present).
    await deps.users.delete(fresh.userId);
    await broadcast(deps, CHAT_ROOM, legacyPresence('leave', { userId: fresh.userId, name: fresh.name }), eitherUser);
    throw closedMeanwhile();
  }
  return moved;
}

/**
 * Removes and closes every connection still filed under a reset user (this one has moved already). The
 * records go first: the close is asynchronous (its `$disconnect` comes later and finds nothing), and a
 * close that fails leaves a connection that can do nothing but reconnect (it has no records).
 */
async function endOtherTabs(deps: FanOutPorts, userId: string): Promise<void> {
  for (const other of await deps.connections.listByUser(userId)) {
    await disconnect(deps, other.connectionId);
    await deps.notifier.close(other.connectionId).catch(() => undefined);
  }
}
