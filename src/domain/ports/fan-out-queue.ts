import type { FanOutJob } from '../fan-out/fan-out-job';

/** Hands fan-out jobs to the workers (at least once: a job may run twice, never zero times once accepted). */
export interface FanOutQueue {
  enqueue(jobs: FanOutJob[]): Promise<void>;
}
