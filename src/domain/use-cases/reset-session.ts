import type { Dependencies } from '../dependencies';
import { RateLimitedError } from '../errors';
import { CHAT_ROOM, type Connection } from '../model';
import { newUser } from './connect';
import { fanOut } from './fan-out';
import { requireSession } from './hello';

/**
 * Forgets the connection's user (identity and feed cursor; its tokens are refused from now on) and
 * moves the connection to a brand-new anonymous user, announced to the rest of the room as a leave and a
 * join (not to the old or the new user's own connections). Two room-wide broadcasts, so a reset counts
 * against the connection's chat rate limit.
 */
export async function resetSession(deps: Dependencies, connectionId: string): Promise<Connection> {
  const { connection, user } = await requireSession(deps, connectionId);
  if (!(await deps.rateLimiter.tryAcquire(connectionId))) throw new RateLimitedError();
  await deps.users.delete(user.userId);
  const fresh = newUser(deps, undefined);
  await deps.users.create(fresh);
  const moved: Connection = { ...connection, userId: fresh.userId, name: fresh.name, resumed: false };
  await deps.connections.reassign(moved, user.userId);
  await deps.subscriptions.subscribe(CHAT_ROOM, moved);
  await deps.users.addConnections(fresh.userId, 1);
  const eitherUser = (subscriber: { userId: string }) => subscriber.userId === fresh.userId || subscriber.userId === user.userId;
  await fanOut(deps, CHAT_ROOM, { type: 'presence', event: 'leave', user: { userId: user.userId, name: connection.name } }, {
    exclude: eitherUser,
  });
  await fanOut(deps, CHAT_ROOM, { type: 'presence', event: 'join', user: { userId: fresh.userId, name: fresh.name } }, {
    exclude: eitherUser,
  });
  return moved;
}
