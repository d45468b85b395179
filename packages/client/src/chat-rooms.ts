import { SeenSeqs } from './seen-seqs.js';
import type { PresenceFrame, PresentUser, WhoFrame } from './wire/frames.js';
import { DEFAULT_ROOM } from './wire/rules.js';

/** `joining`: wanted, not confirmed on this connection yet; `joined`: the server has this connection in the room. */
export type RoomStatus = 'joining' | 'joined';

/** A chat room as the application sees it. */
export interface RoomInfo {
  room: string;
  status: RoomStatus;
  /** Users in the room as last told (a presence frame's `count`, or the length of a full `who`); undefined until then. */
  count: number | undefined;
  /**
   * Who is in the room (the last full `who`, with the joins and leaves of presence frames applied since);
   * undefined until a `who` has come, and while the room sends counts only (it is above the roster threshold).
   */
  users: PresentUser[] | undefined;
}

interface RoomState {
  status: RoomStatus;
  /** Sent with `join` on every connection: the default room is joined by the server at connect instead. */
  explicit: boolean;
  name: string | undefined;
  /** The highest presence `tick` seen on this connection: its frame's `count` is the room's. */
  lastTick: number | undefined;
  /**
   * The `tick` of the frame that last changed each user, so that a join or leave is applied only when it is
   * newer than what is known of that user: frames delivered late or twice never undo a newer change.
   */
  userTicks: Map<string, number>;
  /** Chat seqs already handed to the application (the last 1,000): `seq` counts per room. */
  seen: SeenSeqs;
  members: Map<string, PresentUser> | undefined;
  /**
   * Presence changes applied while a `who` of the room is being gathered: its answer may have been read
   * before them, so they are applied to it again (a join adds a user not listed, a leave removes one).
   */
  sinceWho: PresenceFrame[] | undefined;
  count: number | undefined;
  countsOnly: boolean;
}

/**
 * The chat rooms a client wants to be in and what it knows of each: confirmed or not, the presence `tick`
 * last applied, the chat seqs seen, and the members. Joins go out one at a time, so that a refusal (which
 * names the action, not the room) is known to belong to the one on the wire. No I/O: the client sends.
 */
export class ChatRooms {
  private readonly rooms = new Map<string, RoomState>();
  private onWire: string | undefined;
  /** The default room was left by the application: say `leave` on every connection (the server joins it at connect). */
  private defaultLeft = false;

  constructor(joinDefault: boolean) {
    if (joinDefault) this.rooms.set(DEFAULT_ROOM, newState(false, undefined));
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  isJoined(room: string): boolean {
    return this.rooms.get(room)?.status === 'joined';
  }

  nameIn(room: string): string | undefined {
    return this.rooms.get(room)?.name;
  }

  /** Whether the default room must be left again on a new connection. */
  get leaveDefaultOnConnect(): boolean {
    return this.defaultLeft;
  }

  list(): RoomInfo[] {
    return [...this.rooms.keys()].map((room) => this.info(room) as RoomInfo);
  }

  info(room: string): RoomInfo | undefined {
    const state = this.rooms.get(room);
    if (!state) return undefined;
    const users = state.members && !state.countsOnly ? [...state.members.values()] : undefined;
    return { room, status: state.status, count: state.count, users };
  }

  /** Wants the room (again, under a new name); false when nothing changed. */
  want(room: string, name: string | undefined): boolean {
    if (room === DEFAULT_ROOM) this.defaultLeft = false;
    const state = this.rooms.get(room);
    if (state && (name === undefined || name === state.name)) return false;
    if (state) {
      state.name = name;
      state.explicit = true;
      if (this.onWire !== room) state.status = 'joining';
      return true;
    }
    this.rooms.set(room, newState(true, name));
    return true;
  }

  /** No longer wants the room; false when it was not wanted. */
  drop(room: string): boolean {
    if (!this.rooms.delete(room)) return false;
    if (room === DEFAULT_ROOM) this.defaultLeft = true;
    return true;
  }

  /**
   * The next `join` to send, if none is on the wire: the first room wanted and not confirmed. Marks it on
   * the wire.
   */
  nextJoin(): { room: string; name: string | undefined } | undefined {
    if (this.onWire !== undefined) return undefined;
    for (const [room, state] of this.rooms) {
      if (state.status === 'joining' && state.explicit) {
        this.onWire = room;
        return { room, name: state.name };
      }
    }
    return undefined;
  }

  /** The room whose `join` awaits its answer. */
  get joinOnWire(): string | undefined {
    return this.onWire;
  }

  /** The `join` on the wire was answered (with `joined`, or refused). */
  settleJoin(): void {
    this.onWire = undefined;
  }

  /** The server has the connection in the room; false when the room is not wanted (any more). */
  joined(room: string): boolean {
    if (this.onWire === room) this.onWire = undefined;
    const state = this.rooms.get(room);
    if (!state) return false;
    state.status = 'joined';
    return true;
  }

  /** A new session: the default room is joined by the server at connect; the others are to be joined again. */
  connected(): void {
    this.onWire = undefined;
    for (const state of this.rooms.values()) {
      state.status = state.explicit ? 'joining' : 'joined';
      state.lastTick = undefined;
      state.userTicks.clear();
    }
  }

  /** The connection is gone: nothing is confirmed on the next one until it says so. */
  disconnected(): void {
    this.onWire = undefined;
    for (const state of this.rooms.values()) {
      state.status = 'joining';
      state.sinceWho = undefined;
    }
  }

  /** True the first time a chat `seq` of the room is offered (a retried fan-out may deliver one twice). */
  firstTimeChat(room: string, seq: number): boolean {
    const state = this.rooms.get(room);
    return state ? state.seen.firstTime(seq) : true;
  }

  /**
   * Applies what is new in a presence frame and returns it, cut to that (undefined when nothing is: a
   * repeated frame, or one for a room not wanted). Frames of a room may arrive out of `tick` order (they
   * are delivered in parallel), so each user's join or leave is applied only when its frame's tick is
   * above the one that last changed that user, and `count` (and whether the room sends counts only) comes
   * from the frame with the highest tick.
   */
  applyPresence(frame: PresenceFrame): PresenceFrame | undefined {
    const state = this.rooms.get(frame.room);
    if (!state) return undefined;
    const newest = state.lastTick === undefined || frame.tick > state.lastTick;
    const fresh = (user: { userId: string }): boolean => frame.tick > (state.userTicks.get(user.userId) ?? -1);
    const joined = frame.joined?.filter(fresh);
    const left = frame.left?.filter(fresh);
    if (!newest && !joined?.length && !left?.length) return undefined;
    for (const user of [...(joined ?? []), ...(left ?? [])]) state.userTicks.set(user.userId, frame.tick);
    const applied: PresenceFrame = {
      ...frame,
      ...(joined === undefined ? {} : { joined }),
      ...(left === undefined ? {} : { left }),
    };
    if (newest) {
      state.lastTick = frame.tick;
      state.count = frame.count;
      state.countsOnly = frame.joined === undefined && frame.left === undefined;
      // Joins and leaves are not told while a room sends counts only: the list kept from before is stale.
      if (state.countsOnly) state.members = undefined;
    }
    state.sinceWho?.push(applied);
    if (state.members) applyChanges(state.members, applied);
    return applied;
  }

  /** A `who` of the room was asked for: presence frames from now on are applied to its answer too. */
  whoAsked(room: string): void {
    const state = this.rooms.get(room);
    if (state && state.sinceWho === undefined) state.sinceWho = [];
  }

  /** Whether the room lists its members but the client has no list to apply them to (ask `who`). */
  needsMembers(room: string): boolean {
    const state = this.rooms.get(room);
    return state !== undefined && !state.countsOnly && state.members === undefined;
  }

  /**
   * A whole `who` answer, with the presence frames applied since it was asked for; `again` when another
   * `who` of the room is already under way (whose answer those frames must reach as well).
   */
  applyWho(frame: WhoFrame, again = false): boolean {
    const state = this.rooms.get(frame.room);
    if (!state) return false;
    const members = new Map(frame.users.map((user) => [user.userId, { ...user }]));
    for (const change of state.sinceWho ?? []) applyChanges(members, change);
    state.sinceWho = again ? [] : undefined;
    state.members = members;
    if (!state.countsOnly) state.count = members.size;
    return true;
  }
}

function applyChanges(members: Map<string, PresentUser>, frame: PresenceFrame): void {
  // A user listed as joined who is here already was renamed: keep their connections, take the new name.
  for (const user of frame.joined ?? [])
    members.set(user.userId, { ...user, connections: members.get(user.userId)?.connections ?? 1 });
  for (const user of frame.left ?? []) members.delete(user.userId);
}

function newState(explicit: boolean, name: string | undefined): RoomState {
  return {
    status: 'joining',
    explicit,
    name,
    lastTick: undefined,
    userTicks: new Map(),
    seen: new SeenSeqs(1_000),
    members: undefined,
    sinceWho: undefined,
    count: undefined,
    countsOnly: false,
  };
}
