import type { Channel, Connection } from '../../../src/domain/model';
import type { ConnectionRepository, RemovedConnection } from '../../../src/domain/ports/connection-repository';
import type { InMemorySubscriptionRepository } from './in-memory-subscription-repository';

/**
 * Open connections. It holds the subscription repository because `remove` must take a connection's
 * subscriptions with it, as the DynamoDB adapter does (both live in one table there).
 */
export class InMemoryConnectionRepository implements ConnectionRepository {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly subscriptions: InMemorySubscriptionRepository) {}

  async register(connection: Connection, channels: Channel[] = []): Promise<void> {
    this.connections.set(connection.connectionId, { ...connection });
    for (const channel of channels) await this.subscriptions.subscribe(channel, connection);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const connection = this.connections.get(connectionId);
    return connection && { ...connection };
  }

  async listByUser(userId: string): Promise<Connection[]> {
    return [...this.connections.values()].filter((connection) => connection.userId === userId).map((c) => ({ ...c }));
  }

  async remove(connectionId: string): Promise<RemovedConnection | undefined> {
    const channels = this.subscriptions.removeConnection(connectionId);
    const connection = this.connections.get(connectionId);
    if (!connection) return undefined;
    this.connections.delete(connectionId);
    return { connection, channels };
  }

  async reassign(connection: Connection, previousUserId: string): Promise<Channel[] | undefined> {
    const current = this.connections.get(connection.connectionId);
    if (!current || current.userId !== previousUserId) return undefined;
    this.connections.set(connection.connectionId, { ...connection });
    this.subscriptions.updateConnection(connection);
    return this.subscriptions.channelsOf(connection.connectionId);
  }

  get size(): number {
    return this.connections.size;
  }
}
