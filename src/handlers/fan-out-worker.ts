import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { loadConfig } from '../config';
import { DEFAULT_BACKOFF } from '../domain/fan-out/backoff';
import type { FanOutJob } from '../domain/fan-out/fan-out-job';
import type { ServerFrame } from '../domain/frames';
import { type FanOutWorkerSettings, runFanOutJob } from '../domain/use-cases/run-fan-out-job';
import { array, looseObject, object, optional, present, text, validate, wholeNumber } from '../validation';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';

const fanOutJob = object({
  channel: text(1),
  frame: looseObject({ type: text(1) }),
  shard: object({ index: wholeNumber(0), of: wholeNumber(1) }),
  cursor: present,
  exclude: optional(text(1)),
  excludeUsers: optional(array(text(1))),
});

/**
 * The fan-out worker, fed by the fan-out queue. The records of a batch run side by side and share the
 * invocation's `@connections` calls in flight; a record that fails is reported alone
 * (ReportBatchItemFailures), so the queue retries it and, past maxReceiveCount, moves it to the
 * dead-letter queue, while the others of its batch are done.
 */
export function createFanOutWorkerHandler(
  dependencies: DependencyFactory,
  settings: FanOutWorkerSettings,
  observability: Observability,
) {
  const { logger, metrics } = observability;
  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deps = await dependencies();
    // Jobs start no new page once half the remaining time is gone: the page in flight and the continuation's
    // enqueue have the other half.
    const stopBy = new Date(deps.clock.now().getTime() + context.getRemainingTimeInMillis() / 2);
    const lanes = Math.max(1, Math.floor(settings.callsInFlight / Math.max(1, event.Records.length)));
    const outcomes = await Promise.all(
      event.Records.map(async (record) => {
        try {
          const parsed = validate(fanOutJob, JSON.parse(record.body));
          const job: FanOutJob = {
            ...parsed,
            frame: parsed.frame as unknown as ServerFrame,
            cursor: typeof parsed.cursor === 'string' ? parsed.cursor : null,
          };
          const result = await runFanOutJob(
            {
              deps,
              shards: deps.subscriberShards,
              queue: deps.fanOutQueue,
              notifier: deps.notifier,
              pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
              random: Math.random,
              settings: { ...settings, callsInFlight: lanes },
            },
            job,
            stopBy,
          );
          metrics.addMetric('FanOutDelivered', 'Count', result.delivered);
          // The same delivery metrics as the in-place path (DeliveryFailuresAlarm watches DeliveriesFailed), counted
          // once per job from its outcome: a 429 that a retry got past is not a failed delivery.
          metrics.addMetric('DeliveriesGone', 'Count', result.gone);
          metrics.addMetric('DeliveriesFailed', 'Count', result.failed);
          metrics.addMetric('FanOutThrottleRetries', 'Count', result.retries);
          if (result.failed > 0)
            logger.warn('Fan-out deliveries failed', { channel: job.channel, shard: job.shard, failed: result.failed });
          return null;
        } catch (error) {
          logger.error('Fan-out job failed; the queue will retry it', {
            messageId: record.messageId,
            error: error as Error,
          });
          metrics.addMetric('FanOutJobFailures', 'Count', 1);
          return record.messageId;
        }
      }),
    );
    return {
      batchItemFailures: outcomes
        .filter((id): id is string => id !== null)
        .map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

const config = loadConfig();
export const handler = createFanOutWorkerHandler(
  createDependencyFactory(config),
  {
    callsInFlight: config.FAN_OUT_WORKER_CALLS_IN_FLIGHT,
    subscribersPerJob: config.FAN_OUT_SUBSCRIBERS_PER_JOB,
    pageSize: config.SUBSCRIBER_PAGE_SIZE,
    backoff: DEFAULT_BACKOFF,
  },
  createObservability(),
);
