/** Where a user's tele-read stands. */
export interface FeedState {
  /** Position after the last character delivered. */
  cursor: number;
  /** The article revision `cursor` counts characters of; absent for a cursor saved before revisions were kept. */
  revision?: string;
  /** The stream that holds the feed, if one does. */
  leaseId?: string;
}

/**
 * Where each user's tele-read stands, and which stream owns it. A stream holds a lease; every write a
 * stream makes to the cursor is conditional on its lease (and on the cursor it expects), so two streams
 * of one user can never interleave, a stopped, reset or taken-over stream halts at its next chunk, and
 * nothing an old stream does after a takeover moves the new stream's cursor.
 */
export interface FeedCursorRepository {
  /** Gives the feed to a new stream (taking it from any other) and returns the saved cursor. */
  startLease(userId: string, leaseId: string): Promise<number | undefined>;
  /** Ends any stream of the user and returns the cursor (the position after the last delivered character). */
  stopLease(userId: string): Promise<number | undefined>;
  /** Current cursor, its revision and the lease holder; `undefined` once the user is gone. */
  read(userId: string): Promise<FeedState | undefined>;
  /**
   * Moves the cursor from `from` to `to` in `revision` if `leaseId` still holds the feed; false when it
   * does not (or the cursor moved).
   */
  claim(userId: string, leaseId: string, from: number, to: number, revision: string): Promise<boolean>;
  /**
   * Moves the cursor back from `to` to `from` if `leaseId` still holds the feed and the cursor is still
   * `to`: a claimed chunk that could not be delivered, or characters the client says it never got.
   */
  release(userId: string, leaseId: string, from: number, to: number): Promise<void>;
  /** Starts the feed over at 0 of `revision` (the saved cursor counts another text) if `leaseId` holds it. */
  restart(userId: string, leaseId: string, revision: string): Promise<boolean>;
  /** Drops the lease if `leaseId` still holds it (the article is finished). */
  endLease(userId: string, leaseId: string): Promise<void>;
}
