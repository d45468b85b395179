import type { Connection } from '../../domain/model';
import { keys } from './keys';
import { epochSeconds, type Item } from './table';

/** API Gateway closes a connection after 2 hours; records outlive that by a margin, then TTL takes them. */
export const CONNECTION_LIFETIME_SECONDS = 2 * 60 * 60 + 15 * 60;

export function connectionExpiry(connection: Pick<Connection, 'connectedAt'>): number {
  return epochSeconds(new Date(connection.connectedAt)) + CONNECTION_LIFETIME_SECONDS;
}

/** The attributes a connection is stored with, wherever it is stored (its own item, its user's link). */
export function toConnectionAttributes(connection: Connection): Item {
  return {
    connectionId: connection.connectionId,
    userId: connection.userId,
    name: connection.name,
    connectedAt: connection.connectedAt,
    resumed: connection.resumed,
    ...(connection.sourceIp === undefined ? {} : { sourceIp: connection.sourceIp }),
    ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }),
    ...(connection.signedIn === undefined ? {} : { signedIn: connection.signedIn }),
    expiresAt: connectionExpiry(connection),
  };
}

export function toConnectionItem(connection: Connection): Item {
  return { ...keys.connection(connection.connectionId), ...toConnectionAttributes(connection) };
}

export function fromConnectionItem(item: Item): Connection {
  return {
    connectionId: String(item.connectionId),
    userId: String(item.userId),
    name: String(item.name),
    connectedAt: String(item.connectedAt),
    resumed: item.resumed === true,
    ...(typeof item.sourceIp === 'string' ? { sourceIp: item.sourceIp } : {}),
    ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
    ...signedInOf(item.signedIn),
  };
}

function signedInOf(value: unknown): Pick<Connection, 'signedIn'> {
  if (typeof value !== 'object' || value === null) return {};
  const { method, expiresAt } = value as Record<string, unknown>;
  if (method !== 'jwt' && method !== 'iam') return {};
  return { signedIn: { method, ...(typeof expiresAt === 'string' ? { expiresAt } : {}) } };
}
