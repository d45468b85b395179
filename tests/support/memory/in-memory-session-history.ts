import type { SessionHistory, SessionPosition, SessionRecord } from '../../../src/domain/ports/session-history';

export class InMemorySessionHistory implements SessionHistory {
  private readonly records = new Map<string, SessionRecord[]>();

  async record(userId: string, session: SessionRecord): Promise<void> {
    this.records.set(userId, [...(this.records.get(userId) ?? []), session]);
  }

  async list(userId: string, limit: number, before?: SessionPosition): Promise<SessionRecord[]> {
    const key = (record: SessionPosition) => `${record.disconnectedAt}#${record.connectionId}`;
    return [...(this.records.get(userId) ?? [])]
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .filter((record) => before === undefined || key(record) < key(before))
      .slice(0, limit);
  }
}
