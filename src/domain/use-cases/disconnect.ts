import type { Dependencies } from '../dependencies';
import { type Channel, roomOfChannel } from '../model';

/** What closing a connection touches: its records, the session history, and the presence changes it marks. */
export type DisconnectPorts = Pick<Dependencies, 'connections' | 'sessions' | 'presenceChanges' | 'clock'>;

/**
 * Removes every record of a connection, keeps a record of the session it was (times, duration, source)
 * and marks the user's presence changed in every room the connection was in; the presence worker decides
 * whether that is a leave (it is not while another tab of the user is still there). Nothing here grows with
 * a room. Safe to call twice (API Gateway's `$disconnect` and a 410 from a broadcast can race): only the call
 * that removed the records marks anything.
 */
export async function disconnect(deps: DisconnectPorts, connectionId: string): Promise<boolean> {
  const removed = await deps.connections.remove(connectionId);
  if (!removed) return false;
  const { userId, connectedAt, sourceIp, userAgent } = removed.connection;
  const disconnectedAt = deps.clock.now();
  await deps.sessions.record(userId, {
    connectionId,
    connectedAt,
    disconnectedAt: disconnectedAt.toISOString(),
    durationMs: Math.max(0, disconnectedAt.getTime() - Date.parse(connectedAt)),
    ...(sourceIp === undefined ? {} : { sourceIp }),
    ...(userAgent === undefined ? {} : { userAgent }),
  });
  const rooms = roomsOf(removed.channels);
  if (rooms.length > 0) await deps.presenceChanges.mark(rooms.map((room) => ({ room, userId })));
  return true;
}

/** The rooms among a connection's channels (its topics are not rooms). */
export function roomsOf(channels: Channel[]): string[] {
  return [...new Set(channels.flatMap((channel) => roomOfChannel(channel) ?? []))];
}
