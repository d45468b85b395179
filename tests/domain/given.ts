import {
  type AnnouncePresencePorts,
  announcePresence,
  type PresenceBatchResult,
} from '../../src/domain/use-cases/announce-presence';
import { type ConnectRequest, type ConnectResult, connect } from '../../src/domain/use-cases/connect';
import type { MemoryDependencies } from '../support/memory/create-memory-dependencies';

/** Opens a connection through the real `connect` use case, as `$connect` would. */
export function givenConnected(
  deps: MemoryDependencies,
  connectionId: string,
  request: Omit<Partial<ConnectRequest>, 'connectionId'> = {},
): Promise<ConnectResult> {
  return connect(deps, { connectionId, connectedAt: deps.clock.now(), ...request });
}

/** A second connection of the same user, resumed with a token as a second browser tab would. */
export async function givenSecondTab(
  deps: MemoryDependencies,
  connectionId: string,
  first: ConnectResult,
  name?: string,
): Promise<ConnectResult> {
  const token = await deps.tokens.issue({ userId: first.user.userId, issuedAt: deps.clock.now() });
  return givenConnected(deps, connectionId, { token, ...(name === undefined ? {} : { name }) });
}

/** What the adapters hold, so that a refused request can be shown to have written nothing. */
export function snapshotWrites(deps: MemoryDependencies) {
  return {
    users: deps.users.size,
    connections: deps.connections.size,
    ids: deps.ids.issued,
    sends: deps.notifier.attempts,
  };
}

/** The presence worker's ports over the in-memory adapters; waiting for a claim moves the virtual clock. */
export function presenceWorkerPorts(deps: MemoryDependencies): AnnouncePresencePorts {
  return {
    ...deps,
    pause: async (ms) => {
      deps.clock.advance(ms);
    },
  };
}

/** Runs the presence worker on every change marked so far, as one batch from the queue. */
export function givenPresenceAnnounced(deps: MemoryDependencies): Promise<PresenceBatchResult> {
  const received = deps.presenceChanges.takeAll().map((change, i) => ({ id: `m${i}`, change }));
  return announcePresence(presenceWorkerPorts(deps), received);
}
