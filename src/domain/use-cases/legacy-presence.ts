import type { ChatUser, PresenceFrame } from '../frames';
import { DEFAULT_ROOM } from '../model';

/**
 * The presence frame of one join or leave in the default room, announced in place. A stopgap while presence
 * moves to the presence worker, which coalesces changes and counts the room; it goes with that move.
 */
export function legacyPresence(event: 'join' | 'leave', user: ChatUser): PresenceFrame {
  return {
    type: 'presence',
    room: DEFAULT_ROOM,
    tick: 0,
    count: 0,
    ...(event === 'join' ? { joined: [user] } : { left: [user] }),
  };
}

/** The one join or leave a `legacyPresence` frame carries (the same stopgap, for its readers). */
export function legacyEvent(frame: PresenceFrame): { event: 'join' | 'leave'; user: ChatUser } {
  const joined = frame.joined?.[0];
  const user = joined ?? frame.left?.[0] ?? { userId: '', name: '' };
  return { event: joined ? 'join' : 'leave', user };
}
