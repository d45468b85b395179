import type { Dependencies } from './dependencies';
import { NotInRoomError } from './errors';
import { type Channel, roomChannel, type Subscriber } from './model';

/**
 * The connection's member record in a room (its user and the name it has there), or `not_in_room`. One
 * read, whatever the size of the room.
 */
export async function requireMember(
  deps: Pick<Dependencies, 'subscriptions'>,
  room: string,
  connectionId: string,
): Promise<{ channel: Channel; member: Subscriber }> {
  const channel = roomChannel(room);
  const member = await deps.subscriptions.member(channel, connectionId);
  if (!member) throw new NotInRoomError(room);
  return { channel, member };
}
