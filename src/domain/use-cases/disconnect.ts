import type { Dependencies } from '../dependencies';
import { CHAT_ROOM } from '../model';
import { fanOut } from './fan-out';

/**
 * Removes every record of a connection and, when it was the user's last one, tells the room the user
 * left. Safe to call twice (API Gateway's `$disconnect` and a 410 from a broadcast can race).
 */
export async function disconnect(deps: Dependencies, connectionId: string): Promise<boolean> {
  const removed = await deps.connections.remove(connectionId);
  if (!removed) return false;
  const { userId, name } = removed.connection;
  const remaining = await deps.users.addConnections(userId, -1);
  if (remaining === 0) {
    await fanOut(deps, CHAT_ROOM, { type: 'presence', event: 'leave', user: { userId, name } }, {
      exclude: (subscriber) => subscriber.userId === userId,
    });
  }
  return true;
}
