import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaRuntime } from './lambda-runtime';
import { startLocalQueues } from './local-queues';
import { startSqsEventSource } from './sqs-event-source';
import type { StackModel } from './stack-model';

export interface QueueServicesOptions {
  model: StackModel;
  region: string;
  logEvent: ((line: string) => void) | null;
  log: (line: string) => void;
}

/** The template's queues, and (once the functions can run) the SQS event sources that feed them to functions. */
export interface QueueServices {
  endpoint: string;
  urlOf(logicalId: string): string;
  /** Starts every `Type: SQS` event of the template; returns what stops them (before the queues stop). */
  startEventSources(runtime: LambdaRuntime, defaultConcurrency: number): () => Promise<void>;
  stop(): Promise<void>;
}

export async function startQueueServices(options: QueueServicesOptions): Promise<QueueServices> {
  const queues = await startLocalQueues({ queues: options.model.queues, region: options.region });
  const client = new SQSClient({
    region: options.region,
    endpoint: queues.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint: queues.endpoint,
    urlOf: queues.urlOf,
    startEventSources: (runtime, defaultConcurrency) => {
      const sources = options.model.sqsEventSources.map((source) =>
        startSqsEventSource({
          source,
          client,
          runtime,
          defaultConcurrency,
          region: options.region,
          queueUrl: queues.urlOf(source.queueId),
          queueArn: queues.arnOf(source.queueId),
          logEvent: options.logEvent,
          log: options.log,
        }),
      );
      return async () => {
        await Promise.all(sources.map((source) => source.stop()));
      };
    },
    stop: async () => {
      client.destroy();
      await queues.stop();
    },
  };
}
