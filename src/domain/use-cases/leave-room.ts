import type { Dependencies } from '../dependencies';
import { NotInRoomError } from '../errors';
import { requireRoomName } from '../limits';
import { requireMember } from '../room-membership';

/** Removing the membership, the reply, and the presence change (the presence worker announces it). */
export type LeaveRoomPorts = Pick<Dependencies, 'subscriptions' | 'notifier' | 'presenceChanges'>;

/**
 * Takes the connection out of a room (`not_in_room` when it is not in it), which frees its place under
 * the rooms cap, answers `left`, then marks the user's presence there as changed: the user leaves the room
 * only if this was its last connection in it, which the presence worker finds out.
 */
export async function leaveRoom(deps: LeaveRoomPorts, request: { connectionId: string; room: string }): Promise<void> {
  const room = requireRoomName(request.room);
  const { channel, member } = await requireMember(deps, room, request.connectionId);
  // Two leaves racing: only the one that removed the membership answers `left`.
  if (!(await deps.subscriptions.unsubscribe(channel, request.connectionId))) throw new NotInRoomError(room);
  await deps.notifier.send(request.connectionId, { type: 'left', room });
  await deps.presenceChanges.mark([{ room, userId: member.userId }]);
}
