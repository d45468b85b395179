import type { ServerFrame } from '../frames';
import type { Channel } from '../model';
import type { BroadcastExclusion, FanOutJob } from './fan-out-job';

export interface FanOutPlanSettings {
  /** Channels with at most this many subscribers are delivered by the publishing invocation itself. */
  directMax: number;
  /** The most shards (parallel chains of jobs) one broadcast is split into. */
  maxShards: number;
  /** Subscribers one job delivers before it hands the rest of its shard to a continuation job. */
  subscribersPerJob: number;
}

export type FanOutPlan = { mode: 'direct' } | { mode: 'queued'; jobs: FanOutJob[] };

/**
 * Decides how a frame reaches a channel of `subscriberCount` subscribers. Small channels are delivered in
 * place (the lowest latency). Larger ones get one job per shard, as many shards as it takes for each to
 * hold about one job's worth, up to `maxShards`: shards run in parallel, the pages of one shard in turn.
 */
export function planFanOut(
  channel: Channel,
  frame: ServerFrame,
  subscriberCount: number,
  settings: FanOutPlanSettings,
  exclusion: BroadcastExclusion = {},
): FanOutPlan {
  if (subscriberCount <= settings.directMax) return { mode: 'direct' };
  const shards = Math.max(1, Math.min(settings.maxShards, Math.ceil(subscriberCount / settings.subscribersPerJob)));
  const jobs = Array.from(
    { length: shards },
    (_, index): FanOutJob => ({
      channel,
      frame,
      shard: { index, of: shards },
      cursor: null,
      ...(exclusion.connectionId === undefined ? {} : { exclude: exclusion.connectionId }),
      ...(exclusion.userIds === undefined || exclusion.userIds.length === 0
        ? {}
        : { excludeUsers: [...exclusion.userIds] }),
    }),
  );
  return { mode: 'queued', jobs };
}

/** The job that carries on where `job` stopped, or null when its shard is done. */
export function continuationOf(job: FanOutJob, next: string | null): FanOutJob | null {
  return next === null ? null : { ...job, cursor: next };
}
