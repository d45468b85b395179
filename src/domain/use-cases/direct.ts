import type { Dependencies } from '../dependencies';
import { requireMessage } from '../limits';
import { isPastConnectGrace } from '../model';
import { type DisconnectPorts, disconnect } from './disconnect';

/** Delivers a `direct` frame to every open connection of one user; returns how many got it. */
export async function sendDirect(
  deps: DisconnectPorts & Pick<Dependencies, 'notifier' | 'settings'>,
  userId: string,
  message: unknown,
): Promise<number> {
  requireMessage(message);
  const frame = { type: 'direct', message, sentAt: deps.clock.now().toISOString() } as const;
  let delivered = 0;
  for (const connection of await deps.connections.listByUser(userId)) {
    // One failing connection must not cost the user's other tabs their message.
    const delivery = await deps.notifier.send(connection.connectionId, frame).catch(() => 'failed' as const);
    if (delivery === 'sent') delivered += 1;
    else if (delivery === 'gone' && isPastConnectGrace(connection, deps.clock.now(), deps.settings.connectGraceMs))
      await disconnect(deps, connection.connectionId);
  }
  return delivered;
}
