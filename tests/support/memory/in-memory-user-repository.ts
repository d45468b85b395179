import type { User } from '../../../src/domain/model';
import type { UserRepository } from '../../../src/domain/ports/user-repository';

/** What the table keeps on a user's item: the user and its feed lease. */
export interface UserRecord {
  user: User;
  feedLease?: string;
}

/** Users (identity only). Single-threaded JavaScript makes every update atomic. */
export class InMemoryUserRepository implements UserRepository {
  private readonly records = new Map<string, UserRecord>();

  async create(user: User): Promise<void> {
    if (this.records.has(user.userId)) throw new Error(`User ${user.userId} already exists.`);
    this.records.set(user.userId, { user: { ...user } });
  }

  async get(userId: string): Promise<User | undefined> {
    const record = this.records.get(userId);
    return record && { ...record.user };
  }

  async touch(userId: string, name: string): Promise<void> {
    const record = this.records.get(userId);
    if (record) record.user = { ...record.user, name };
  }

  async ensure(user: User, options: { rename: boolean }): Promise<{ user: User; created: boolean }> {
    const record = this.records.get(user.userId);
    if (!record) {
      this.records.set(user.userId, { user: { ...user } });
      return { user: { ...user }, created: true };
    }
    if (options.rename) record.user = { ...record.user, name: user.name };
    return { user: { ...record.user }, created: false };
  }

  async delete(userId: string): Promise<void> {
    this.records.delete(userId);
  }

  /**
   * The live record, for the feed cursor repository: the cursor and lease sit on the user's item, so
   * deleting the user (a reset) ends its stream, as in DynamoDB.
   */
  record(userId: string): UserRecord | undefined {
    return this.records.get(userId);
  }

  get size(): number {
    return this.records.size;
  }
}
