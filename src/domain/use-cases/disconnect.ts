import type { Dependencies } from '../dependencies';
import { CHAT_ROOM } from '../model';
import { broadcast } from './broadcast';
import { legacyPresence } from './legacy-presence';

/** What closing a connection touches: its records, the session history, the user's count, and the room (a leave). */
export type DisconnectPorts = Pick<
  Dependencies,
  | 'connections'
  | 'sessions'
  | 'users'
  | 'subscriptions'
  | 'subscriberShards'
  | 'fanOutQueue'
  | 'notifier'
  | 'clock'
  | 'settings'
>;

/**
 * Removes every record of a connection, keeps a record of the session it was (times, duration, source)
 * and, when it was the user's last one, tells the room the user left. Safe to call twice (API Gateway's `$disconnect` and a 410 from a broadcast can race).
 */
export async function disconnect(deps: DisconnectPorts, connectionId: string): Promise<boolean> {
  const removed = await deps.connections.remove(connectionId);
  if (!removed) return false;
  const { userId, name, connectedAt, sourceIp, userAgent } = removed.connection;
  const disconnectedAt = deps.clock.now();
  await deps.sessions.record(userId, {
    connectionId,
    connectedAt,
    disconnectedAt: disconnectedAt.toISOString(),
    durationMs: Math.max(0, disconnectedAt.getTime() - Date.parse(connectedAt)),
    ...(sourceIp === undefined ? {} : { sourceIp }),
    ...(userAgent === undefined ? {} : { userAgent }),
  });
  const remaining = await openAfterClose(deps, userId);
  if (remaining === 0) {
    await broadcast(deps, CHAT_ROOM, legacyPresence('leave', { userId, name }), { userIds: [userId] });
  }
  return true;
}

/**
 * The user's open connections after one closed. The count can drift upwards for good (a `$connect` that
 * counted and then failed or timed out gets no `$disconnect`), and then the user would never be seen to
 * leave again; so while the count says others are open, their records are checked, and a count with no
 * open connection behind it is set to 0 (compare-and-set: a racing connect or close wins, and counts).
 */
async function openAfterClose(
  deps: Pick<Dependencies, 'users' | 'connections'>,
  userId: string,
): Promise<number | undefined> {
  const remaining = await deps.users.addConnections(userId, -1);
  if (remaining === undefined || remaining <= 0) return remaining;
  if ((await deps.connections.listByUser(userId)).length > 0) return remaining;
  return (await deps.users.correctConnections(userId, remaining, 0)) ? 0 : remaining;
}
