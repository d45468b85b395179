import type { Dependencies } from '../dependencies';
import type { PresentUser, WhoFrame } from '../frames';
import { jsonBytes, LIMITS } from '../limits';
import { CHAT_ROOM, type Channel, DEFAULT_ROOM, roomOfChannel } from '../model';
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
  for (const { userId, name, connectionId } of subscribers) {
    const present = users.get(userId);
    if (present) {
      present.connections += 1;
    } else {
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
