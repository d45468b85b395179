import type { Channel, Connection, Subscriber } from '../../../src/domain/model';
import type { ShardPage, SubscriberShard, SubscriberShards } from '../../../src/domain/ports/subscriber-shards';
import type {
  SubscriberPage,
  SubscriptionCap,
  SubscriptionRepository,
} from '../../../src/domain/ports/subscription-repository';

export interface InMemorySubscriptionOptions {
  /** Subscribers per page. Small pages make a fan-out cross page boundaries with only a few subscribers. */
  pageSize?: number;
}

/** Subscribers per channel in subscription order, read back in pages like a DynamoDB Query. */
export class InMemorySubscriptionRepository implements SubscriptionRepository, SubscriberShards {
  private readonly channels = new Map<Channel, Map<string, Subscriber>>();
  /** The counted (capped) channels of each connection, per cap. */
  private readonly counted = new Map<string, Map<Channel, SubscriptionCap['counter']>>();
  private readonly pageSize: number;
  /** Every connection id ever subscribed to a channel, in order, so that a cursor survives a departure. */
  private readonly order = new Map<Channel, string[]>();
  /** How many pages all `subscribers` iterations have read, to show that a fan-out really paged. */
  pagesRead = 0;

  constructor(options: InMemorySubscriptionOptions = {}) {
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error('pageSize must be a positive integer.');
  }

  async subscribe(channel: Channel, connection: Connection, cap?: SubscriptionCap): Promise<boolean> {
    if (cap !== undefined) {
      const counted = this.countedOf(connection.connectionId);
      const held = [...counted.values()].filter((counter) => counter === cap.counter).length;
      if (!counted.has(channel) && held >= cap.limit) return false;
      counted.set(channel, cap.counter);
    }
    this.subscribersOf(channel).set(connection.connectionId, toSubscriber(connection));
    const order = this.order.get(channel) ?? [];
    if (!order.includes(connection.connectionId)) this.order.set(channel, [...order, connection.connectionId]);
    return true;
  }

  async unsubscribe(channel: Channel, connectionId: string): Promise<boolean> {
    this.counted.get(connectionId)?.delete(channel);
    return this.channels.get(channel)?.delete(connectionId) ?? false;
  }

  async isSubscribed(channel: Channel, connectionId: string): Promise<boolean> {
    return this.channels.get(channel)?.has(connectionId) ?? false;
  }

  async member(channel: Channel, connectionId: string): Promise<Subscriber | undefined> {
    const subscriber = this.channels.get(channel)?.get(connectionId);
    return subscriber ? { ...subscriber } : undefined;
  }

  async members(channel: Channel, connectionIds: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const connectionId of connectionIds) {
      const subscriber = await this.member(channel, connectionId);
      if (subscriber) found.set(connectionId, subscriber);
    }
    return found;
  }

  async *subscribers(channel: Channel): AsyncIterable<Subscriber[]> {
    // Read page by page from the live map, as a Query with ExclusiveStartKey would: a subscriber removed
    // before its page is read is not returned.
    const ids = [...(this.channels.get(channel)?.keys() ?? [])];
    for (let start = 0; start < ids.length; start += this.pageSize) {
      await Promise.resolve();
      const live = this.channels.get(channel);
      const page = ids.slice(start, start + this.pageSize).flatMap((id) => {
        const subscriber = live?.get(id);
        return subscriber ? [{ ...subscriber }] : [];
      });
      this.pagesRead += 1;
      if (page.length > 0) yield page;
    }
  }

  async countSubscribers(channel: Channel): Promise<number> {
    return this.channels.get(channel)?.size ?? 0;
  }

  /** A shard is the subscribers whose id hashes to `index` (mod `of`), read in id order after the cursor. */
  async shardPage(channel: Channel, shard: SubscriberShard, cursor: string | null, limit: number): Promise<ShardPage> {
    this.pagesRead += 1;
    const ids = [...(this.channels.get(channel)?.keys() ?? [])]
      .filter((id) => hashOf(id) % shard.of === shard.index && (cursor === null || id > cursor))
      .sort();
    const taken = ids.slice(0, limit);
    const live = this.channels.get(channel);
    return {
      subscribers: taken.flatMap((id) => (live?.get(id) ? [{ ...(live.get(id) as Subscriber) }] : [])),
      next: ids.length > limit ? (taken[taken.length - 1] ?? null) : null,
    };
  }

  async page(channel: Channel, limit: number, after?: string): Promise<SubscriberPage> {
    const all = [...(this.channels.get(channel)?.values() ?? [])];
    // Storage order is subscription order here; a departed `after` continues from where it was recorded.
    const start = after === undefined ? 0 : this.positionAfter(channel, after, all);
    const subscribers = all.slice(start, start + limit).map((subscriber) => ({ ...subscriber }));
    return { subscribers, more: start + limit < all.length };
  }

  private positionAfter(channel: Channel, after: string, live: Subscriber[]): number {
    const order = this.order.get(channel) ?? [];
    const index = order.indexOf(after);
    if (index < 0) return live.length;
    const seen = new Set(order.slice(0, index + 1));
    return live.filter((subscriber) => seen.has(subscriber.connectionId)).length;
  }

  /** The channels a connection is subscribed to; used by the connection repository's `remove`. */
  channelsOf(connectionId: string): Channel[] {
    return [...this.channels].filter(([, subscribers]) => subscribers.has(connectionId)).map(([channel]) => channel);
  }

  /** Drops every subscription of a connection and says which channels it had. */
  removeConnection(connectionId: string): Channel[] {
    const channels = this.channelsOf(connectionId);
    for (const channel of channels) this.channels.get(channel)?.delete(connectionId);
    this.counted.delete(connectionId);
    return channels;
  }

  /** Rewrites the subscriber records of a connection that moved to another user. */
  updateConnection(connection: Connection): void {
    for (const subscribers of this.channels.values()) {
      if (subscribers.has(connection.connectionId)) subscribers.set(connection.connectionId, toSubscriber(connection));
    }
  }

  private countedOf(connectionId: string): Map<Channel, SubscriptionCap['counter']> {
    let counted = this.counted.get(connectionId);
    if (!counted) {
      counted = new Map();
      this.counted.set(connectionId, counted);
    }
    return counted;
  }

  private subscribersOf(channel: Channel): Map<string, Subscriber> {
    let subscribers = this.channels.get(channel);
    if (!subscribers) {
      subscribers = new Map();
      this.channels.set(channel, subscribers);
    }
    return subscribers;
  }
}

function toSubscriber(connection: Connection): Subscriber {
  return {
    connectionId: connection.connectionId,
    userId: connection.userId,
    name: connection.name,
    connectedAt: connection.connectedAt,
  };
}

/** FNV-1a: a stable, even spread of ids over shards. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
