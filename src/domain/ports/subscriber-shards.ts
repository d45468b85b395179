import type { Channel, Subscriber } from '../model';

/** One of `of` disjoint slices of a channel's subscribers; together the slices hold every subscriber once. */
export interface SubscriberShard {
  index: number;
  of: number;
}

export interface ShardPage {
  subscribers: Subscriber[];
  /** Where the next page of the same shard starts, or null after its last page. Opaque to the domain. */
  next: string | null;
}

/**
 * Reads a large channel's subscribers in parallel slices, for fan-out workers: each shard is read page by
 * page with a cursor, without a Scan, and no subscriber is in two shards.
 */
export interface SubscriberShards {
  /** How many subscribers the channel has, from a counter (one read, whatever the size of the channel). */
  countSubscribers(channel: Channel): Promise<number>;
  shardPage(channel: Channel, shard: SubscriberShard, cursor: string | null, limit: number): Promise<ShardPage>;
}
