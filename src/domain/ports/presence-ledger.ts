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
   * Holds the room until `now + holdMs` and bumps its tick, unless another worker holds it: one worker at a
   * time compares and records a room, and at most one presence frame goes out per room per interval.
   */
  claim(room: string, now: Date, holdMs: number): Promise<RoomClaim | RoomHeld>;
  /**
   * Ends the claim of `tick` early, keeping the room held until `until` (the end of its interval); nothing
   * when the room has been claimed again since (the claim outlived its hold).
   */
  release(room: string, tick: number, until: Date): Promise<void>;
  /** The users among `userIds` the room was told are there, with the name it was told. */
  announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>>;
  /** Records the joins, the leaves and the room's new count. */
  record(room: string, change: AnnouncedChange): Promise<void>;
}
