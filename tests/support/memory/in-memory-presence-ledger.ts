import type { ChatUser } from '../../../src/domain/frames';
import type { AnnouncedChange, PresenceLedger, RoomClaim, RoomHeld } from '../../../src/domain/ports/presence-ledger';
import { ClaimLostError } from '../../../src/domain/presence/claim-lost-error';

interface RoomState {
  tick: number;
  count: number;
  claimedUntil: number;
  untold: boolean;
  announced: Map<string, ChatUser>;
}

/** What each room was told, in memory (a record is all or nothing here); a claim holds a room until its time, by the clock the caller passes. */
export class InMemoryPresenceLedger implements PresenceLedger {
  private readonly rooms = new Map<string, RoomState>();

  async claim(room: string, now: Date, holdMs: number): Promise<RoomClaim | RoomHeld> {
    const state = this.stateOf(room);
    if (state.claimedUntil > now.getTime()) return { claimed: false, until: new Date(state.claimedUntil) };
    state.claimedUntil = now.getTime() + holdMs;
    state.tick += 1;
    return { claimed: true, tick: state.tick, count: state.count, untold: state.untold };
  }

  async release(room: string, tick: number, until: Date, told: boolean): Promise<void> {
    const state = this.stateOf(room);
    if (state.tick !== tick) return;
    state.claimedUntil = until.getTime();
    if (told) state.untold = false;
  }

  async announced(room: string, userIds: string[]): Promise<Map<string, ChatUser>> {
    const announced = this.stateOf(room).announced;
    return new Map(userIds.flatMap((userId) => announced.get(userId) ?? []).map((user) => [user.userId, { ...user }]));
  }

  async record(room: string, tick: number, change: AnnouncedChange): Promise<void> {
    const state = this.stateOf(room);
    if (state.tick !== tick) throw new ClaimLostError(room, tick);
    for (const user of [...change.joined, ...change.renamed]) state.announced.set(user.userId, { ...user });
    for (const userId of change.left) state.announced.delete(userId);
    state.count = change.count;
    state.untold = true;
  }

  /** The users a room was told are there, for assertions. */
  announcedIn(room: string): ChatUser[] {
    return [...this.stateOf(room).announced.values()];
  }

  private stateOf(room: string): RoomState {
    let state = this.rooms.get(room);
    if (!state) {
      state = { tick: 0, count: 0, claimedUntil: 0, untold: false, announced: new Map() };
      this.rooms.set(room, state);
    }
    return state;
  }
}
