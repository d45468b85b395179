import type { User } from '../../../src/domain/model';
import type { UserRepository } from '../../../src/domain/ports/user-repository';

interface UserRecord {
  user: User;
  openConnections: number;
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

  async delete(userId: string): Promise<void> {
    this.records.delete(userId);
  }

  async addConnections(userId: string, delta: 1 | -1): Promise<number | undefined> {
    const record = this.records.get(userId);
    if (!record) return undefined;
    record.openConnections = Math.max(0, record.openConnections + delta);
    return record.openConnections;
  }

  /** The counter as stored, for assertions. */
  openConnections(userId: string): number | undefined {
    return this.records.get(userId)?.openConnections;
  }

  get size(): number {
    return this.records.size;
  }
}
