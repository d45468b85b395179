import type { Dependencies } from '../dependencies';
import { TooManyRoomsError, UnauthorizedError } from '../errors';
import { DEFAULT_ROOM, LIMITS, requireDisplayName, requireRoomName } from '../limits';
import { roomChannel } from '../model';

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
  const member = { ...connection, name: name ?? connection.name };
  if (room === DEFAULT_ROOM) {
    await deps.subscriptions.subscribe(roomChannel(room), member);
  } else {
    const limit = roomLimit(deps);
    if (!(await deps.subscriptions.subscribe(roomChannel(room), member, { counter: 'rooms', limit }))) {
      throw new TooManyRoomsError(limit);
    }
  }
  await deps.notifier.send(connection.connectionId, { type: 'joined', room, name: member.name });
  await deps.presenceChanges.mark([{ room, userId: connection.userId }]);
}

export function roomLimit(deps: Pick<Dependencies, 'settings'>): number {
  return deps.settings.maxRoomsPerConnection ?? LIMITS.roomsPerConnection;
}
