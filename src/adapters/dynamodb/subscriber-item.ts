import type { Channel, Connection } from '../../domain/model';
import { connectionExpiry } from './connection-item';
import { keys } from './keys';
import type { Item } from './table';

/** A connection as a channel's member: what fan-out reads, page by page, and what `who` lists. */
export function toSubscriberItem(channel: Channel, connection: Connection): Item {
  return {
    ...keys.subscriber(channel, connection.connectionId),
    connectionId: connection.connectionId,
    userId: connection.userId,
    name: connection.name,
    connectedAt: connection.connectedAt,
    expiresAt: connectionExpiry(connection),
  };
}
