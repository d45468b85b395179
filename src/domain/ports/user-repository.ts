import type { User } from '../model';

/**
 * Anonymous users (sessions): identity only. They expire after a period without connections. Whether a user
 * is present anywhere is read from their connections' records, never counted here.
 */
export interface UserRepository {
  create(user: User): Promise<void>;
  /** `undefined` for an unknown, expired or reset user. */
  get(userId: string): Promise<User | undefined>;
  /** Keeps the session alive and records the display name last used. */
  touch(userId: string, name: string): Promise<void>;
  /** Forgets the user; its tokens can never resume it again. */
  delete(userId: string): Promise<void>;
}
