import type { ClientFrame, PresentUser, WhoFrame } from './wire/frames.js';
import { DEFAULT_ROOM } from './wire/rules.js';

/**
 * The most pages one list gathers: 1,000 connections, the default roster threshold above which the server
 * sends a room's count instead of its joins and leaves. A larger room's list stops there, with the `cursor`
 * where it stopped, rather than cost a request per 100 members of a crowd.
 */
export const WHO_MAX_PAGES = 10;

interface Gathering {
  users: Map<string, PresentUser>;
  pages: number;
  /** Asked again while this list was being gathered: gather it once more when it is done. */
  again: boolean;
}

/**
 * Gathers the pages of `who` into one list per room: one page of a room asked at a time, each next one with
 * the cursor of the last. A list asked for while the same room's is being gathered is gathered again once
 * that one is done, so overlapping requests never mix their pages; rooms are gathered apart (each reply
 * names its room).
 */
export class WhoPages {
  private readonly rooms = new Map<string, Gathering>();

  constructor(private readonly send: (frame: ClientFrame) => void) {}

  request(room: string = DEFAULT_ROOM): void {
    const gathering = this.rooms.get(room);
    if (gathering) {
      gathering.again = true;
      return;
    }
    this.rooms.set(room, { users: new Map(), pages: 0, again: false });
    this.send(whoFrame(room));
  }

  /**
   * Takes a page; returns the room's whole list after its last page (or after {@link WHO_MAX_PAGES} pages,
   * with the `cursor` of the rest), and asks for the next page before that.
   */
  accept(frame: WhoFrame): WhoFrame | undefined {
    const gathering = this.rooms.get(frame.room) ?? { users: new Map<string, PresentUser>(), pages: 0, again: false };
    const users = gathering.users;
    gathering.pages += 1;
    for (const user of frame.users) {
      const known = users.get(user.userId);
      // A user whose connections fall on two pages is on both.
      if (known) known.connections += user.connections;
      else users.set(user.userId, { ...user });
    }
    if (frame.cursor !== undefined && gathering.pages < WHO_MAX_PAGES) {
      this.rooms.set(frame.room, gathering);
      this.send(whoFrame(frame.room, frame.cursor));
      return undefined;
    }
    this.rooms.delete(frame.room);
    if (gathering.again) this.request(frame.room);
    const rest = frame.cursor !== undefined ? { cursor: frame.cursor } : {};
    return { type: 'who', room: frame.room, users: [...users.values()], ...rest };
  }

  /** Whether a list of the room is being gathered. */
  isGathering(room: string): boolean {
    return this.rooms.has(room);
  }

  /** The rooms whose lists are being gathered. */
  gathering(): string[] {
    return [...this.rooms.keys()];
  }

  /** A room left: forget its list being gathered. */
  forget(room: string): void {
    this.rooms.delete(room);
  }

  /** A refused page (which names no room) or a lost connection: forget every list being gathered; returns their rooms. */
  reset(): string[] {
    const rooms = this.gathering();
    this.rooms.clear();
    return rooms;
  }
}

/** The default room's frames leave `room` out, as the seed's do. */
function whoFrame(room: string, cursor?: string): ClientFrame {
  return {
    action: 'who',
    ...(cursor !== undefined ? { cursor } : {}),
    ...(room !== DEFAULT_ROOM ? { room } : {}),
  };
}
