/** One tele-read stream: whose feed, where to send it, and the lease that owns it. */
export interface FeedJob {
  userId: string;
  connectionId: string;
  leaseId: string;
}

/**
 * Runs a feed worker in the background (an asynchronous Lambda invocation in AWS), so that streaming
 * can last longer than any single request and outlive the invocation that started it.
 */
export interface FeedScheduler {
  start(job: FeedJob): Promise<void>;
}
