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
  /** Newest first. */
  list(userId: string, limit: number): Promise<SessionRecord[]>;
}
