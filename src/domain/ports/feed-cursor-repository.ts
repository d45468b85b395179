/**
 * Where each user's tele-read stands, and which stream owns it. A stream holds a lease; every chunk is
 * claimed with a conditional write that checks the lease and the cursor, so two streams of one user can
 * never interleave and a stopped, reset or taken-over stream halts at its next chunk.
 */
export interface FeedCursorRepository {
  /** Gives the feed to a new stream (taking it from any other) and returns the saved cursor. */
  startLease(userId: string, leaseId: string): Promise<number | undefined>;
  /** Ends any stream of the user and returns the cursor (the position after the last delivered character). */
  stopLease(userId: string): Promise<number | undefined>;
  /** Current cursor and lease holder; `undefined` once the user is gone. */
  read(userId: string): Promise<{ cursor: number; leaseId?: string } | undefined>;
  /** Moves the cursor from `from` to `to` if `leaseId` still holds the feed; false when it does not. */
  claim(userId: string, leaseId: string, from: number, to: number): Promise<boolean>;
  /** Gives back a claimed chunk that could not be delivered. */
  release(userId: string, from: number, to: number): Promise<void>;
  /** Drops the lease if `leaseId` still holds it (the article is finished). */
  endLease(userId: string, leaseId: string): Promise<void>;
}
