import type { ClientFrame, PresentUser, WhoFrame } from './wire/frames.js';

/**
 * Gathers the pages of `who` into one list of the room: one page asked at a time, each next one with the
 * cursor of the last. A list asked for while one is being gathered is gathered again once that one is done,
 * so overlapping requests (a burst of presence events) never mix their pages.
 */
export class WhoPages {
  private gathering: Map<string, PresentUser> | undefined;
  private again = false;

  constructor(private readonly send: (frame: ClientFrame) => void) {}

  request(): void {
    if (this.gathering) {
      this.again = true;
      return;
    }
    this.gathering = new Map();
    this.send({ action: 'who' });
  }

  /** Takes a page; returns the whole list after its last page, and asks for the next page before that. */
  accept(frame: WhoFrame): WhoFrame | undefined {
    const users = this.gathering ?? new Map<string, PresentUser>();
    for (const user of frame.users) {
      const known = users.get(user.userId);
      // A user whose connections fall on two pages is on both.
      if (known) known.connections += user.connections;
      else users.set(user.userId, { ...user });
    }
    if (frame.cursor !== undefined) {
      this.gathering = users;
      this.send({ action: 'who', cursor: frame.cursor });
      return undefined;
    }
    this.gathering = undefined;
    if (this.again) {
      this.again = false;
      this.request();
    }
    return { type: 'who', room: frame.room, users: [...users.values()] };
  }

  /** A refused page or a lost connection: forget the list being gathered (the next request starts over). */
  reset(): void {
    this.gathering = undefined;
    this.again = false;
  }
}
