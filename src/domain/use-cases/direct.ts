import type { Dependencies } from '../dependencies';
import { requireMessageSize } from '../limits';
import { disconnect } from './disconnect';

/** Delivers a `direct` frame to every open connection of one user; returns how many got it. */
export async function sendDirect(deps: Dependencies, userId: string, message: unknown): Promise<number> {
  requireMessageSize(message);
  const frame = { type: 'direct', message, sentAt: deps.clock.now().toISOString() } as const;
  let delivered = 0;
  for (const connection of await deps.connections.listByUser(userId)) {
    const delivery = await deps.notifier.send(connection.connectionId, frame);
    if (delivery === 'sent') delivered += 1;
    else await disconnect(deps, connection.connectionId);
  }
  return delivered;
}
