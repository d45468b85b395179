import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FanOutJob } from '../../domain/fan-out/fan-out-job';
import type { FanOutQueue } from '../../domain/ports/fan-out-queue';

/** SendMessageBatch takes at most 10 entries. */
const BATCH_LIMIT = 10;

/** Fan-out jobs as SQS messages (the job as JSON), sent ten to a request. */
export class SqsFanOutQueue implements FanOutQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** With a client of its own: what the composition root loads on the first large broadcast. */
  static create(options: { region: string; endpoint?: string; queueUrl: string }): SqsFanOutQueue {
    const client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    return new SqsFanOutQueue(client, options.queueUrl);
  }

  async enqueue(jobs: FanOutJob[]): Promise<void> {
    for (let at = 0; at < jobs.length; at += BATCH_LIMIT) {
      const chunk = jobs.slice(at, at + BATCH_LIMIT);
      const { Failed } = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((job, i) => ({ Id: String(i), MessageBody: JSON.stringify(job) })),
        }),
      );
      if (Failed && Failed.length > 0) {
        throw new Error(`SQS refused ${Failed.length} fan-out jobs: ${Failed.map((f) => f.Code).join(', ')}`);
      }
    }
  }
}
