import type { ServerFrame } from '../frames';
import type { Channel } from '../model';
import type { SubscriberShard } from '../ports/subscriber-shards';

/**
 * "Deliver frame F to the subscribers of channel C in this shard, from this cursor on": the unit of work of
 * the fan-out workers. Anything that broadcasts (topic messages, chat, presence) sends this same job.
 */
export interface FanOutJob {
  channel: Channel;
  frame: ServerFrame;
  shard: SubscriberShard;
  /** Where in the shard to resume; null for its first page. */
  cursor: string | null;
  /** A connection that must not receive the frame (the sender of a `send` chat message). */
  exclude?: string;
  /** Users whose connections must not receive the frame (a presence announcement skips the user's own). */
  excludeUsers?: string[];
}

/** Who a broadcast skips: plain data, so that it travels in a job as it is. */
export interface BroadcastExclusion {
  connectionId?: string;
  userIds?: string[];
}

/** Whether a subscriber is one the broadcast skips. */
export function isExcluded(
  exclusion: BroadcastExclusion,
  subscriber: { connectionId: string; userId: string },
): boolean {
  return (
    subscriber.connectionId === exclusion.connectionId || (exclusion.userIds?.includes(subscriber.userId) ?? false)
  );
}
