import type { ChatUser } from '../frames';

/** A room held by one presence worker for one interval: the frame it sends carries `tick`. */
export interface RoomClaim {
  claimed: true;
  /** Rises with every claim of the room. */
  tick: number;
  /** Users the room was last told it has. */
  count: number;
}

/** The room is held by another worker until `until`. */
export interface RoomHeld {
  claimed: false;
  until: Date;
}

/** What a room is told, recorded once the worker has decided. */
export interface AnnouncedChange {
  joined: ChatUser[];
  left: string[];
  count: number;
}

/**
 * What each room was last told about its members, and who may tell it next. Every call costs in proportion
 * to the users it names, never to the room: the worker compares the users a batch touched, nobody else.
 */
export interface PresenceLedger {
  /**
   * Holds the room until `now + intervalMs` and bumps its tick, unless another worker holds it: at most one
   * presence frame per room per interval, however many workers run.
   */
  claim(room: string, now: Date, intervalMs: number): Promise<RoomClaim | RoomHeld>;
  /** The users among `userIds` the room was told are there, with the name it was told. */
  announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>>;
  /** Records the joins, the leaves and the room's new count. */
  record(room: string, change: AnnouncedChange): Promise<void>;
}
