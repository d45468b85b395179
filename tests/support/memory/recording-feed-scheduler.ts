import type { FeedJob, FeedScheduler } from '../../../src/domain/ports/feed-scheduler';

/** Records the feed workers a use case asked for; a test runs `runFeed` itself with its own pace. */
export class RecordingFeedScheduler implements FeedScheduler {
  readonly jobs: FeedJob[] = [];

  async start(job: FeedJob): Promise<void> {
    this.jobs.push({ ...job });
  }
}
