import type { WebSocket } from 'ws';
import type { ConnectionIdentity } from './websocket-events';

/** An open connection as the gateway and the `@connections` API see it. */
export interface LocalConnection extends ConnectionIdentity {
  socket: WebSocket;
  lastActiveAt: number;
  /** Closes from the server side; `$disconnect` then gets this code and reason. */
  closeByServer(code: number, reason: string): void;
}

/** The open connections by id, shared by the gateway (which adds and removes) and `@connections`. */
export function createConnectionRegistry() {
  const connections = new Map<string, LocalConnection>();
  return {
    add: (connection: LocalConnection): void => void connections.set(connection.connectionId, connection),
    remove: (connectionId: string): void => void connections.delete(connectionId),
    get: (connectionId: string): LocalConnection | undefined => connections.get(connectionId),
    all: (): LocalConnection[] => [...connections.values()],
  };
}

export type ConnectionRegistry = ReturnType<typeof createConnectionRegistry>;
