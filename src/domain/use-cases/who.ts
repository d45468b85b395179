import type { Dependencies } from '../dependencies';
import type { PresentUser, WhoFrame } from '../frames';
import { jsonBytes, LIMITS, requireRoomName } from '../limits';
import { CHAT_ROOM, type Channel, DEFAULT_ROOM, roomOfChannel } from '../model';
import { requireMember } from '../room-membership';
import { decodeWhoCursor, encodeWhoCursor } from '../who-cursor';

/** The envelope of a `who` frame (type, brackets, the longest cursor) and a few digits of `connections` per user. */
const ENVELOPE_BYTES = 512;
const COUNT_DIGITS = 3;

export interface WhoRequest {
  /** A cursor from the previous page of the same room. */
  cursor?: string;
  /** The room whose members to list (the chat room; named rooms page the same way). */
  room?: Channel;
}

export interface WhoInRoomRequest {
  connectionId: string;
  /** The room to list; the default room when absent. */
  room?: string;
  /** A cursor from the previous `who` reply of the same room. */
  cursor?: string;
}

/**
 * `who` as a connection asks it: one page of a room it is in (`not_in_room` otherwise). A cursor of
 * another room is `invalid_frame`: it names its room, and the page reads only the room asked for.
 */
export async function whoInRoom(
  deps: Pick<Dependencies, 'subscriptions'>,
  request: WhoInRoomRequest,
): Promise<Omit<WhoFrame, 'type'>> {
  const room = requireRoomName(request.room ?? DEFAULT_ROOM);
  const { channel } = await requireMember(deps, room, request.connectionId);
  return whoIsHere(deps, { room: channel, cursor: request.cursor });
}

/**
 * One page of the users in a room, each with how many of its connections the page holds: at most
 * `whoPageSize` connections, so at most that many users, and never over the reply byte cap. A `cursor`
 * comes back when more may follow. One Query per page, however large the room.
 */
export async function whoIsHere(
  deps: Pick<Dependencies, 'subscriptions'>,
  { cursor, room = CHAT_ROOM }: WhoRequest = {},
): Promise<Omit<WhoFrame, 'type'>> {
  const after = cursor === undefined ? undefined : decodeWhoCursor(cursor, room);
  const { subscribers, more } = await deps.subscriptions.page(room, LIMITS.whoPageSize, after);
  const users = new Map<string, PresentUser>();
  let budget = LIMITS.replyBytes - ENVELOPE_BYTES;
  let last = after;
  let cut = false;
  // The newest connection's name stands for the user: a tab that reconnected under a new name (a rename) may
  // still be listed beside its old connection, whose close has not come yet.
  const newest = new Map<string, string>();
  for (const { userId, name, connectionId, connectedAt } of subscribers) {
    const present = users.get(userId);
    if (present) {
      present.connections += 1;
      if (connectedAt > (newest.get(userId) ?? '')) {
        budget -= jsonBytes(name) - jsonBytes(present.name);
        present.name = name;
        newest.set(userId, connectedAt);
      }
    } else {
      newest.set(userId, connectedAt);
      const user = { userId, name, connections: 1 };
      const bytes = jsonBytes(user) + COUNT_DIGITS + 1;
      // Names are at most 40 characters, so 100 users fit; this guards records written under older rules.
      if (bytes > budget && users.size > 0) {
        cut = true;
        break;
      }
      budget -= bytes;
      users.set(userId, user);
    }
    last = connectionId;
  }
  const next = (cut || more) && last !== undefined ? { cursor: encodeWhoCursor(room, last) } : {};
  return { room: roomOfChannel(room) ?? DEFAULT_ROOM, users: [...users.values()], ...next };
}
