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
  /**
   * A signed-in user: created as `user` the first time, and from then on the one stored (its feed cursor
   * kept), its expiry refreshed and, with `rename`, its name set to `user.name`. One atomic write, so two
   * first handshakes at once agree on one user. `created` tells the first handshake from later ones.
   */
  ensure(user: User, options: { rename: boolean }): Promise<{ user: User; created: boolean }>;
  /** Forgets the user; its tokens can never resume it again. */
  delete(userId: string): Promise<void>;
}
