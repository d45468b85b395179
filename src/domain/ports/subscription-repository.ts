import type { Channel, Connection, Subscriber } from '../model';

/** Which connections listen to which channel. Subscribers are read page by page, never all at once. */
export interface SubscriptionRepository {
  /**
   * Subscribes a connection. With `cap`, the subscription counts against one of the connection's caps (its
   * topics, or its rooms), each kept as a counter (never by counting its subscriptions): a new one is
   * refused (false, nothing written) while the connection holds `cap.limit` counted ones of that kind, and a
   * repeat of one it holds is not counted again. Without `cap` (the default room) nothing is counted.
   */
  subscribe(channel: Channel, connection: Connection, cap?: SubscriptionCap): Promise<boolean>;
  /** Returns false when the connection was not subscribed; a counted subscription frees its place. */
  unsubscribe(channel: Channel, connectionId: string): Promise<boolean>;
  isSubscribed(channel: Channel, connectionId: string): Promise<boolean>;
  /** The connection's subscription to the channel as fan-out sees it (with the name it has there); one read. */
  member(channel: Channel, connectionId: string): Promise<Subscriber | undefined>;
  /** `member` for many connections at once, by key in batches: those that are members, by connection id. */
  members(channel: Channel, connectionIds: string[]): Promise<Map<string, Subscriber>>;
  /** Pages of subscribers, in storage order, so that fan-out never holds the whole list. */
  subscribers(channel: Channel): AsyncIterable<Subscriber[]>;
  /**
   * One page of at most `limit` subscribers in storage order, after the connection `after` (from the start
   * when undefined; that connection need not be subscribed any more), for replies that list a channel one
   * request at a time. `more` is false once the end is reached (true may still lead to an empty page).
   */
  page(channel: Channel, limit: number, after?: string): Promise<SubscriberPage>;
}

/** Which of a connection's caps a subscription counts against, and how many that cap allows. */
export interface SubscriptionCap {
  counter: 'topics' | 'rooms';
  limit: number;
}

export interface SubscriberPage {
  subscribers: Subscriber[];
  more: boolean;
}
