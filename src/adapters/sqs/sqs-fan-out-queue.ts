import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FanOutJob } from '../../domain/fan-out/fan-out-job';
import type { FanOutQueue } from '../../domain/ports/fan-out-queue';
import { sendInBatches } from './send-in-batches';

/** Fan-out jobs as SQS messages (the job as JSON), sent ten to a request. */
export class SqsFanOutQueue implements FanOutQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  enqueue(jobs: FanOutJob[]): Promise<void> {
    return sendInBatches(this.client, this.queueUrl, jobs, 'fan-out jobs');
  }
}
