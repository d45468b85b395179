import type { Channel, Connection, Subscriber } from '../model';

/** Which connections listen to which channel. Subscribers are read page by page, never all at once. */
export interface SubscriptionRepository {
  subscribe(channel: Channel, connection: Connection): Promise<void>;
  /** Returns false when the connection was not subscribed. */
  unsubscribe(channel: Channel, connectionId: string): Promise<boolean>;
  isSubscribed(channel: Channel, connectionId: string): Promise<boolean>;
  /** Pages of subscribers, in storage order, so that fan-out never holds the whole list. */
  subscribers(channel: Channel): AsyncIterable<Subscriber[]>;
}
