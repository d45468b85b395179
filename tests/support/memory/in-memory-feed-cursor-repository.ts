import type { FeedCursorRepository, FeedState } from '../../../src/domain/ports/feed-cursor-repository';
import type { InMemoryUserRepository } from './in-memory-user-repository';

/**
 * Feed cursors and leases kept on the users' records, as the DynamoDB adapter keeps them on the user
 * item: a deleted (reset) user has no cursor and no stream. Each method is one conditional update.
 */
export class InMemoryFeedCursorRepository implements FeedCursorRepository {
  constructor(private readonly users: InMemoryUserRepository) {}

  async startLease(userId: string, leaseId: string): Promise<number | undefined> {
    const record = this.users.record(userId);
    if (!record) return undefined;
    record.feedLease = leaseId;
    return record.user.cursor;
  }

  async stopLease(userId: string): Promise<number | undefined> {
    const record = this.users.record(userId);
    if (!record) return undefined;
    delete record.feedLease;
    return record.user.cursor;
  }

  async read(userId: string): Promise<FeedState | undefined> {
    const record = this.users.record(userId);
    if (!record) return undefined;
    return {
      cursor: record.user.cursor,
      ...(record.user.feedRevision === undefined ? {} : { revision: record.user.feedRevision }),
      ...(record.feedLease === undefined ? {} : { leaseId: record.feedLease }),
    };
  }

  async claim(userId: string, leaseId: string, from: number, to: number, revision: string): Promise<boolean> {
    const record = this.users.record(userId);
    if (!record || record.feedLease !== leaseId || record.user.cursor !== from) return false;
    record.user = { ...record.user, cursor: to, feedRevision: revision };
    return true;
  }

  async release(userId: string, leaseId: string, from: number, to: number): Promise<void> {
    const record = this.users.record(userId);
    if (record?.feedLease === leaseId && record.user.cursor === to) record.user = { ...record.user, cursor: from };
  }

  async restart(userId: string, leaseId: string, revision: string): Promise<boolean> {
    const record = this.users.record(userId);
    if (record?.feedLease !== leaseId) return false;
    record.user = { ...record.user, cursor: 0, feedRevision: revision };
    return true;
  }

  async endLease(userId: string, leaseId: string): Promise<void> {
    const record = this.users.record(userId);
    if (record?.feedLease === leaseId) delete record.feedLease;
  }
}
