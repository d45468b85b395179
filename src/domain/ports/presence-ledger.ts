import type { ChatUser } from '../frames';

/** A room held by one presence worker for one interval: the frame it sends carries `tick`. */
export interface RoomClaim {
  claimed: true;
  /** Rises with every claim of the room. */
  tick: number;
  /** Users the room was last told it has: always the number of users `announced` reports as there. */
  count: number;
  /**
   * The last change recorded may not have reached the members: its worker stopped, or its broadcast failed,
   * before it released its claim as told. This claim's frame tells them the count again.
   */
  untold: boolean;
}

/** The room is held by another worker until `until`. */
export interface RoomHeld {
  claimed: false;
  until: Date;
}

/** What a room is told, recorded once the worker has decided. */
export interface AnnouncedChange {
  /** Users who arrived: the room is told they are there. */
  joined: ChatUser[];
  /** Users who were there already and are there under another name now: the count does not change. */
  renamed: ChatUser[];
  /** Users who left. */
  left: string[];
  /** Users in the room once the change is recorded. */
  count: number;
}

/**
 * What each room was last told about its members, and who may tell it next. Every call costs in proportion
 * to the users it names, never to the room: the worker compares the users a batch touched, nobody else.
 */
export interface PresenceLedger {
  /**
   * Holds the room until `now + holdMs` and bumps its tick, unless another worker holds it: one worker at a
   * time compares and records a room, and at most one presence frame goes out per room per interval. A
   * change that a worker stopped recording part way (it timed out, crashed, or a write failed) is finished
   * first, so the count returned always agrees with the users `announced` reports.
   */
  claim(room: string, now: Date, holdMs: number): Promise<RoomClaim | RoomHeld>;
  /**
   * Ends the claim of `tick` early, keeping the room held until `until` (the end of its interval); nothing
   * when the room has been claimed again since (the claim outlived its hold). `told`: the members were told
   * everything recorded so far, so the next claim is not `untold`.
   */
  release(room: string, tick: number, until: Date, told: boolean): Promise<void>;
  /** The users among `userIds` the room was told are there, with the name it was told. */
  announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>>;
  /**
   * Records the joins, the leaves and the room's new count under the claim of `tick`: however early the
   * worker stops, the next claim finds the count and the users announced in agreement. Throws
   * `ClaimLostError` when the room has been claimed again since (the claim outlived its hold); the change is
   * then not recorded, or only in whole parts that agree with their count, and its changes come again.
   */
  record(room: string, tick: number, change: AnnouncedChange): Promise<void>;
}
