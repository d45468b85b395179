import type { Dependencies } from '../dependencies';
import { InvalidFrameError } from '../errors';
import { jsonBytes, LIMITS } from '../limits';
import type { SessionPosition, SessionRecord } from '../ports/session-history';

export interface SessionPage {
  sessions: SessionRecord[];
  /** Present when the page stopped before the oldest record (at `limit`, or at the byte cap): the next page's `before`. */
  next?: string;
}

/** Records read per storage request: a byte-capped page never reads much more than it returns. */
const CHUNK = 100;
const ENVELOPE_BYTES = 512;
// `{disconnectedAt}~{connectionId}`: a position in the user's own history, nothing else.
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)~([A-Za-z0-9_+/=-]{1,128})$/;

/**
 * A user's closed connections, newest first: at most `limit`, and never more than the HTTP page byte
 * cap (a record carries the client's user agent, which the client chose), with the `before` of the next page.
 */
export async function listSessions(
  deps: Pick<Dependencies, 'sessions'>,
  userId: string,
  limit: number,
  before?: string,
): Promise<SessionPage> {
  const sessions: SessionRecord[] = [];
  let budget = LIMITS.httpPageBytes - ENVELOPE_BYTES;
  let after = before === undefined ? undefined : decodeSessionCursor(before);
  for (;;) {
    const wanted = Math.min(CHUNK, limit - sessions.length + 1);
    const chunk = await deps.sessions.list(userId, wanted, after);
    for (const session of chunk) {
      const bytes = jsonBytes(session) + 1;
      if (sessions.length === limit || (bytes > budget && sessions.length > 0)) {
        return { sessions, ...(after ? { next: encodeSessionCursor(after) } : {}) };
      }
      budget -= bytes;
      sessions.push(session);
      after = { disconnectedAt: session.disconnectedAt, connectionId: session.connectionId };
    }
    if (chunk.length < wanted) return { sessions };
  }
}

function encodeSessionCursor({ disconnectedAt, connectionId }: SessionPosition): string {
  return `${disconnectedAt}~${connectionId}`;
}

function decodeSessionCursor(cursor: string): SessionPosition {
  const match = CURSOR.exec(cursor);
  if (!match?.[1] || !match[2])
    throw new InvalidFrameError(
      '"before" is not a position in this history: send the "next" of the last page, or none.',
    );
  return { disconnectedAt: match[1], connectionId: match[2] };
}
