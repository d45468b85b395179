/** One finished connection of a user, as the chat seed recorded it. */
export interface SessionRecord {
  connectionId: string;
  connectedAt: string;
  disconnectedAt: string;
  durationMs: number;
  sourceIp?: string;
  userAgent?: string;
}

/** Keeps a record of every closed connection per user, for as long as the user's session lives. */
export interface SessionHistory {
  record(userId: string, session: SessionRecord): Promise<void>;
  /** Newest first, at most `limit`; with `before`, only those closed before that record (it need not exist). */
  list(userId: string, limit: number, before?: SessionPosition): Promise<SessionRecord[]>;
}

/** Where a record sits in a user's history: records are ordered by when they closed, then by connection. */
export type SessionPosition = Pick<SessionRecord, 'disconnectedAt' | 'connectionId'>;
