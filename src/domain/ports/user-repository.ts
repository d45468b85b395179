import type { User } from '../model';

/** Anonymous users (sessions). They expire after a period without connections. */
export interface UserRepository {
  create(user: User): Promise<void>;
  /** `undefined` for an unknown, expired or reset user. */
  get(userId: string): Promise<User | undefined>;
  /** Keeps the session alive and records the display name last used. */
  touch(userId: string, name: string): Promise<void>;
  /**
   * Forgets the user; its tokens can never resume it again. Returns the open connections it still counted
   * (0 for an unknown user): 0 means its last close has already been counted, and its leave announced.
   */
  delete(userId: string): Promise<number>;
  /**
   * Counts open connections per user, atomically, so that exactly one connect sees 1 (the join) and one
   * disconnect sees 0 (the leave), however the calls interleave. Never goes below 0. Returns the new count,
   * or `undefined` when nothing was counted: the user no longer exists, or a -1 found the count at 0
   * already (a healed count; its leave has been announced).
   */
  addConnections(userId: string, delta: 1 | -1): Promise<number | undefined>;
  /**
   * Sets the count to `actual` if it is still `seen` (a compare-and-set): corrects a count that drifted
   * from the open connections (a `$connect` that counted and then failed never gets its `$disconnect`).
   * False when another connect or disconnect changed the count meanwhile.
   */
  correctConnections(userId: string, seen: number, actual: number): Promise<boolean>;
}
