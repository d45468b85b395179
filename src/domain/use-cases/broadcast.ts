import type { Dependencies } from '../dependencies';
import { type BroadcastExclusion, isExcluded } from '../fan-out/fan-out-job';
import { planFanOut } from '../fan-out/fan-out-plan';
import type { ServerFrame } from '../frames';
import type { Channel } from '../model';
import { type FanOutPorts, type FanOutResult, fanOut } from './fan-out';

/** Counting the channel's subscribers and queueing jobs, or else delivering in place. */
export type BroadcastPorts = FanOutPorts & Pick<Dependencies, 'subscriberShards' | 'fanOutQueue'>;

export interface BroadcastResult extends FanOutResult {
  /** Fan-out jobs handed to the workers (0 when the channel was small enough to deliver in place). */
  queuedJobs: number;
}

/**
 * Sends a frame to a channel: in this invocation when the channel is small (`fanOutPlan.directMax`
 * subscribers or fewer, by its counter), otherwise as one fan-out job per shard for the workers, so that
 * the caller is answered at once and the delivery is not cut off by this invocation's timeout. Every
 * broadcast (topic messages, chat, presence) goes this way; `exclude` is data, so that the jobs carry it.
 */
export async function broadcast(
  deps: BroadcastPorts,
  channel: Channel,
  frame: ServerFrame,
  exclude: BroadcastExclusion = {},
): Promise<BroadcastResult> {
  const planSettings = deps.settings.fanOutPlan;
  const count = planSettings ? await deps.subscriberShards.countSubscribers(channel) : 0;
  const plan = planSettings ? planFanOut(channel, frame, count, planSettings, exclude) : ({ mode: 'direct' } as const);
  if (plan.mode === 'direct') {
    const excluded = exclude.connectionId !== undefined || (exclude.userIds?.length ?? 0) > 0;
    const result = await fanOut(
      deps,
      channel,
      frame,
      excluded ? { exclude: (subscriber) => isExcluded(exclude, subscriber) } : {},
    );
    return { ...result, queuedJobs: 0 };
  }
  await deps.fanOutQueue.enqueue(plan.jobs);
  return { delivered: 0, gone: 0, failed: 0, queuedJobs: plan.jobs.length };
}
