/** A user whose presence in a room may have changed: a connection of theirs joined or left it. */
export interface PresenceChange {
  room: string;
  userId: string;
  /**
   * The connection whose joining made the change, absent when one left. While it is in the room, it alone
   * shows the user there: the worker then need not read all the user's connections.
   */
  joinedBy?: string;
}

/**
 * Hands presence changes to the presence worker, which compares each with what the room was last told and
 * announces the difference, coalesced per room and interval. At least once: a change may arrive twice (the
 * worker announces it once), never zero times once accepted. Cheap and constant per change, so that
 * `$connect` and `$disconnect` cost the same in a room of 10 and of 100,000.
 */
export interface PresenceChanges {
  mark(changes: PresenceChange[]): Promise<void>;
}
