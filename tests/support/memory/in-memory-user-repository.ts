import type { User } from '../../../src/domain/model';
import type { UserRepository } from '../../../src/domain/ports/user-repository';

/** What the table keeps on a user's item: the user, its connection counter and its feed lease. */
export interface UserRecord {
  user: User;
  openConnections: number;
  feedLease?: string;
}

/** Users and their open-connection counters. Single-threaded JavaScript makes every update atomic. */
export class InMemoryUserRepository implements UserRepository {
  private readonly records = new Map<string, UserRecord>();

  async create(user: User): Promise<void> {
    if (this.records.has(user.userId)) throw new Error(`User ${user.userId} already exists.`);
    this.records.set(user.userId, { user: { ...user }, openConnections: 0 });
  }

  async get(userId: string): Promise<User | undefined> {
    const record = this.records.get(userId);
    return record && { ...record.user };
  }

  async touch(userId: string, name: string): Promise<void> {
    const record = this.records.get(userId);
    if (record) record.user = { ...record.user, name };
  }

  async delete(userId: string): Promise<number> {
    const counted = this.records.get(userId)?.openConnections ?? 0;
    this.records.delete(userId);
    return counted;
  }

  async addConnections(userId: string, delta: 1 | -1): Promise<number | undefined> {
    const record = this.records.get(userId);
    if (!record) return undefined;
    if (delta < 0 && record.openConnections <= 0) return undefined;
    record.openConnections += delta;
    return record.openConnections;
  }

  async correctConnections(userId: string, seen: number, actual: number): Promise<boolean> {
    const record = this.records.get(userId);
    if (!record || record.openConnections !== seen) return false;
    record.openConnections = actual;
    return true;
  }

  /** Sets the counter as stored, to simulate drift. */
  setOpenConnections(userId: string, count: number): void {
    const record = this.records.get(userId);
    if (record) record.openConnections = count;
  }

  /**
   * The live record, for the feed cursor repository: the cursor and lease sit on the user's item, so
   * deleting the user (a reset) ends its stream, as in DynamoDB.
   */
  record(userId: string): UserRecord | undefined {
    return this.records.get(userId);
  }

  /** The counter as stored, for assertions. */
  openConnections(userId: string): number | undefined {
    return this.records.get(userId)?.openConnections;
  }

  get size(): number {
    return this.records.size;
  }
}
