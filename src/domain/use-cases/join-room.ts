import type { Dependencies } from '../dependencies';
import { TooManyRoomsError, UnauthorizedError } from '../errors';
import { DEFAULT_ROOM, LIMITS, requireDisplayName, requireRoomName } from '../limits';
import { type Connection, roomChannel } from '../model';

export interface JoinRoomRequest {
  connectionId: string;
  room: string;
  /** The name to have in this room; the connection's own name when absent. */
  name?: string;
}

/** Writing the membership, the reply, and the presence change (the presence worker announces it). */
export type JoinRoomPorts = Pick<
  Dependencies,
  'connections' | 'subscriptions' | 'notifier' | 'presenceChanges' | 'settings'
>;

/**
 * Puts the connection in a room under a name, answers `joined`, then marks the user's presence there as
 * changed. A connection is in at most `maxRoomsPerConnection` named rooms (`too_many_rooms`); the default
 * room is never counted. Joining a room it is in already takes no new place, and renames it there. The
 * cost does not grow with the room: a few writes on the connection's and the room's items.
 */
export async function joinRoom(deps: JoinRoomPorts, request: JoinRoomRequest): Promise<void> {
  const room = requireRoomName(request.room);
  const name = request.name === undefined ? undefined : requireDisplayName(request.name);
  const connection = await deps.connections.get(request.connectionId);
  if (!connection) throw new UnauthorizedError('This connection has no session any more; reconnect.');
  const channel = roomChannel(room);
  const limit = roomLimit(deps);
  const write = (member: Connection) =>
    room === DEFAULT_ROOM
      ? deps.subscriptions.subscribe(channel, member)
      : deps.subscriptions.subscribe(channel, member, { counter: 'rooms', limit });
  let member = { ...connection, name: name ?? connection.name };
  const taken = await write(member);
  // A `$disconnect` may have removed the connection's records meanwhile, before this membership was written:
  // it would then stay behind (a member `who` lists who is not there). Checked after the write, so that
  // either the removal sees the membership or this sees the removal.
  const now = await deps.connections.get(connection.connectionId);
  if (!now) {
    await deps.subscriptions.unsubscribe(channel, connection.connectionId);
    throw new UnauthorizedError('This connection closed while joining; reconnect.');
  }
  if (taken && now.userId !== connection.userId) {
    // A `reset` of this connection moved it to a new user meanwhile, and may have moved its memberships before
    // this one was written: the membership then still names the old user (`who` would list them, presence
    // could announce them). It follows the connection, as the reset's own move does.
    member = { ...now, name: name ?? now.name };
    await write(member);
  }
  if (!taken) throw new TooManyRoomsError(limit);
  await deps.notifier.send(connection.connectionId, { type: 'joined', room, name: member.name });
  await deps.presenceChanges.mark([{ room, userId: member.userId, joinedBy: connection.connectionId }]);
}

export function roomLimit(deps: Pick<Dependencies, 'settings'>): number {
  return deps.settings.maxRoomsPerConnection ?? LIMITS.roomsPerConnection;
}
