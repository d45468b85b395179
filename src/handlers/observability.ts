import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * Logger and metrics of one function, made once per container. No Powertools Tracer: Lambda records every
 * invocation in X-Ray by itself (`Tracing` in template.yaml) and the AWS SDK passes the trace header on, while
 * Tracer's X-Ray SDK adds a tenth to a fifth to module init and hooks every Promise (BENCHMARKS.md, section 3).
 */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function createObservability(): Observability {
  return { logger: new Logger(), metrics: new Metrics() };
}

/** The Powertools middlewares every handler runs with, in the order Powertools documents. */
export function observabilityMiddlewares({ logger, metrics }: Observability): MiddlewareObj[] {
  return [injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj, logMetrics(metrics) as MiddlewareObj];
}
