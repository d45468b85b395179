import type { FanOutJob } from '../../../src/domain/fan-out/fan-out-job';
import type { FanOutQueue } from '../../../src/domain/ports/fan-out-queue';

/** Jobs in the order they were enqueued; tests take them with `take` and run them as a worker would. */
export class InMemoryFanOutQueue implements FanOutQueue {
  readonly jobs: FanOutJob[] = [];
  /** Every job ever enqueued, including the ones taken. */
  enqueued = 0;

  async enqueue(jobs: FanOutJob[]): Promise<void> {
    // A copy, as a queue holds the serialised job, not the sender's object.
    this.jobs.push(...jobs.map((job) => JSON.parse(JSON.stringify(job)) as FanOutJob));
    this.enqueued += jobs.length;
  }

  take(): FanOutJob | undefined {
    return this.jobs.shift();
  }
}
