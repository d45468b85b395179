import type { SessionHistory, SessionRecord } from '../../../src/domain/ports/session-history';

export class InMemorySessionHistory implements SessionHistory {
  private readonly records = new Map<string, SessionRecord[]>();

  async record(userId: string, session: SessionRecord): Promise<void> {
    this.records.set(userId, [...(this.records.get(userId) ?? []), session]);
  }

  async list(userId: string, limit: number): Promise<SessionRecord[]> {
    return [...(this.records.get(userId) ?? [])].reverse().slice(0, limit);
  }
}
