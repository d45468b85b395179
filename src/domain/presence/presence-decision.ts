import type { ChatUser, PresenceFrame } from '../frames';

/** One user touched by a batch: who they are in the room now (`undefined`: not there) and what the room was told. */
export interface UserPresence {
  userId: string;
  /** The user as the records show them in the room now: at least one connection is a member of it. */
  present: ChatUser | undefined;
  /** The user as the room was last told they are there; `undefined`: told they are not (or never told). */
  announced: ChatUser | undefined;
}

/** What the room should be told about one user. */
export type UserDecision = 'join' | 'rename' | 'leave' | 'none';

/**
 * Announce a join when the user is there and the room was not told so; announce a leave when the user is
 * gone and the room was told they are there; announce the user again (a rename) when they are there under
 * another name than the room was told (a reconnect with a new name, a `join` that renames). Comparing
 * states, not replaying events, is what makes a change delivered twice announce once, and a join and leave
 * inside one interval never end as "joined".
 */
export function decideUser(user: UserPresence): UserDecision {
  if (user.present && !user.announced) return 'join';
  if (!user.present && user.announced) return 'leave';
  if (user.present && user.announced && user.present.name !== user.announced.name) return 'rename';
  return 'none';
}

/** The room's new state to record, and the frame that tells its members (none when nothing is to be said). */
export interface RoomDecision {
  /** Users to record as there who were not: each adds one to the count. */
  arrived: ChatUser[];
  /** Users to record as there under a new name: the count stays. */
  renamed: ChatUser[];
  left: ChatUser[];
  /** Users in the room once this decision is recorded. */
  count: number;
  frame: PresenceFrame | undefined;
}

/**
 * Decides what a room is told for one interval. Below or at `rosterMax` users it lists who joined and who
 * left; above it, send a count: a counts-only frame, and only when the count changed, or when `untold`: the
 * members may have missed the last count recorded. (Below the threshold a lost frame's joins and leaves are
 * not sent again, and a counts-only frame there would tell clients that the room sends counts only: the next
 * frame of the room brings the right count, and `who` the names.)
 */
export function decideRoom(
  room: string,
  tick: number,
  previousCount: number,
  users: UserPresence[],
  rosterMax: number,
  untold = false,
): RoomDecision {
  // `joined` is what the frame lists: arrivals and renames, in the order of the users.
  const joined: ChatUser[] = [];
  const arrived: ChatUser[] = [];
  const renamed: ChatUser[] = [];
  const left: ChatUser[] = [];
  for (const user of users) {
    const decision = decideUser(user);
    if ((decision === 'join' || decision === 'rename') && user.present) joined.push(user.present);
    if (decision === 'join' && user.present) arrived.push(user.present);
    if (decision === 'rename' && user.present) renamed.push(user.present);
    if (decision === 'leave' && user.announced) left.push(user.announced);
  }
  const count = Math.max(0, previousCount + arrived.length - left.length);
  const frame = frameOf(room, tick, { previousCount, count, untold }, joined, left, rosterMax);
  return { arrived, renamed, left, count, frame };
}

function frameOf(
  room: string,
  tick: number,
  { previousCount, count, untold }: { previousCount: number; count: number; untold: boolean },
  joined: ChatUser[],
  left: ChatUser[],
  rosterMax: number,
): PresenceFrame | undefined {
  if (count > rosterMax) {
    return count === previousCount && !untold ? undefined : { type: 'presence', room, tick, count };
  }
  if (joined.length === 0 && left.length === 0) return undefined;
  return {
    type: 'presence',
    room,
    tick,
    count,
    ...(joined.length > 0 ? { joined } : {}),
    ...(left.length > 0 ? { left } : {}),
  };
}
