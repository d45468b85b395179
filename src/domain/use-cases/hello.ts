import type { Dependencies } from '../dependencies';
import { resumePosition } from '../feed-position';
import type { SessionFrame } from '../frames';
import { requireSession } from '../session';

/**
 * Reports the session of a connection, with a freshly signed token that resumes it later. The article only
 * adds the reading position: when it cannot be loaded now (its source is down), the session still comes,
 * with the saved cursor and a `total` of 0, and only `teleread` reports the failure.
 */
export async function hello(
  deps: Pick<Dependencies, 'connections' | 'users' | 'article' | 'tokens' | 'clock'>,
  connectionId: string,
): Promise<SessionFrame> {
  const { connection, user } = await requireSession(deps, connectionId);
  const article = await deps.article.load().catch(() => undefined);
  return {
    type: 'session',
    userId: user.userId,
    token: await deps.tokens.issue({ userId: user.userId, issuedAt: deps.clock.now() }),
    connectionId,
    connectedAt: connection.connectedAt,
    resumed: connection.resumed,
    cursor: article ? resumePosition({ cursor: user.cursor, revision: user.feedRevision }, article) : user.cursor,
    total: article ? [...article.text].length : 0,
  };
}
