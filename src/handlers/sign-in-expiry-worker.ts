import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import type { SignInExpiryCheck } from '../domain/ports/sign-in-expiry';
import { endExpiredSignIn } from '../domain/use-cases/end-expired-sign-in';
import { object, text, validate } from '../validation';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';

const expiryCheck = object({ connectionId: text(1), expiresAt: text(1) });

/**
 * The sign-in expiry worker (`AuthMode=jwt`), fed by the delayed messages `$connect` sends: ends each
 * connection whose token has expired, and sends the others on for another wait. A record that cannot be a
 * check is logged and dropped; a check that fails is reported alone (ReportBatchItemFailures) and retried.
 */
export function createSignInExpiryWorkerHandler(dependencies: DependencyFactory, observability: Observability) {
  const { logger, metrics } = observability;
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await dependenciesOf();
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const check = parseCheck(record);
        if (!check) {
          logger.warn('Dropped a sign-in expiry check that is not one', { messageId: record.messageId });
          return;
        }
        try {
          const outcome = await endExpiredSignIn(deps, check);
          if (outcome === 'ended') {
            metrics.addMetric('SignInsExpired', 'Count', 1);
            logger.info('Sign-in expired; connection closed', { connectionId: check.connectionId });
          }
        } catch (error) {
          logger.error('Sign-in expiry check failed; the queue will retry it', { ...check, error: error as Error });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

function parseCheck(record: SQSRecord): SignInExpiryCheck | undefined {
  try {
    const check = validate(expiryCheck, JSON.parse(record.body));
    return Number.isNaN(Date.parse(check.expiresAt)) ? undefined : check;
  } catch {
    // Reported by the caller, which logs the record it could not read.
    return undefined;
  }
}

export const handler = createSignInExpiryWorkerHandler(createDependencyFactory(), createObservability());
