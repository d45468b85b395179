import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FeedJob, FeedScheduler } from '../../domain/ports/feed-scheduler';

/**
 * Starts the feed worker with an asynchronous (`Event`) invocation: the caller returns at once and the
 * worker streams for as long as it needs, handing itself on before its own timeout.
 */
export class LambdaFeedScheduler implements FeedScheduler {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(job: FeedJob): Promise<void> {
    const { StatusCode } = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(job)),
      }),
    );
    if (StatusCode !== 202) throw new Error(`The feed worker was not started (status ${StatusCode})`);
  }
}
