import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { loadConfig } from '../config';
import { type FeedOutcome, runFeed } from '../domain/use-cases/feed';
import { object, text, validate } from '../validation';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';

const feedJob = object({ userId: text(1), connectionId: text(1), leaseId: text(1) });

export interface FeedWorkerSettings {
  intervalMs: number;
  chunkSize: number;
  maxInvocationMs: number;
  handoffMarginMs: number;
}

/**
 * The feed worker, invoked asynchronously. It streams until the article ends or the stream is stopped,
 * and before its own time runs out it hands the rest to a fresh invocation: the cursor is saved with
 * every chunk, so nothing is lost or repeated across the hand-off.
 */
export function createFeedWorkerHandler(
  dependencies: DependencyFactory,
  settings: FeedWorkerSettings,
  observability: Observability,
) {
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: unknown, context: Context): Promise<{ outcome: FeedOutcome }> => {
    const job = validate(feedJob, event);
    const deps = await dependenciesOf();
    const startedAt = Date.now();
    const outcome = await runFeed(deps, job, {
      intervalMs: settings.intervalMs,
      chunkSize: settings.chunkSize,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      timeToHandOff: () =>
        Date.now() - startedAt >= settings.maxInvocationMs ||
        context.getRemainingTimeInMillis() < settings.handoffMarginMs,
    });
    if (outcome === 'handed-off') await deps.scheduler.start(job);
    observability.metrics.addMetric(`FeedWorker${outcome === 'handed-off' ? 'HandOffs' : 'Runs'}`, 'Count', 1);
    observability.logger.info('Feed worker done', { ...job, outcome });
    return { outcome };
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

const config = loadConfig();
export const handler = createFeedWorkerHandler(
  // The worker hands its stream on to itself: its own name, which the template cannot give it without
  // naming the function (a name that would then have to fit 64 characters for every stack name).
  createDependencyFactory({
    ...config,
    FEED_WORKER_FUNCTION: config.FEED_WORKER_FUNCTION ?? config.AWS_LAMBDA_FUNCTION_NAME,
  }),
  {
    intervalMs: config.FEED_INTERVAL_MS,
    chunkSize: config.FEED_CHUNK_SIZE,
    maxInvocationMs: config.FEED_MAX_INVOCATION_MS,
    handoffMarginMs: config.FEED_HANDOFF_MARGIN_MS,
  },
  createObservability(),
);
