import type { Dependencies } from '../dependencies';
import { CHAT_ROOM, type Connection } from '../model';
import { newUser } from './connect';
import { fanOut } from './fan-out';
import { requireSession } from './hello';

/**
 * Forgets the connection's user (identity and feed cursor; its tokens are refused from now on) and
 * moves the connection to a brand-new anonymous user, announced to the room as a leave and a join.
 */
export async function resetSession(deps: Dependencies, connectionId: string): Promise<Connection> {
  const { connection, user } = await requireSession(deps, connectionId);
  await deps.users.delete(user.userId);
  const fresh = newUser(deps, undefined);
  await deps.users.create(fresh);
  const moved: Connection = { ...connection, userId: fresh.userId, name: fresh.name, resumed: false };
  await deps.connections.reassign(moved, user.userId);
  await deps.subscriptions.subscribe(CHAT_ROOM, moved);
  await deps.users.addConnections(fresh.userId, 1);
  const isUser = (userId: string) => (subscriber: { userId: string }) => subscriber.userId === userId;
  await fanOut(deps, CHAT_ROOM, { type: 'presence', event: 'leave', user: { userId: user.userId, name: connection.name } }, {
    exclude: isUser(fresh.userId),
  });
  await fanOut(deps, CHAT_ROOM, { type: 'presence', event: 'join', user: { userId: fresh.userId, name: fresh.name } }, {
    exclude: isUser(fresh.userId),
  });
  return moved;
}
