import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { isValidRoomName } from '../domain/limits';
import { announcePresence, type ReceivedChange } from '../domain/use-cases/announce-presence';
import { object, optional, text, validate } from '../validation';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';

/** Connection ids are API Gateway's (16 characters); a longer `joinedBy` cannot be one, and could not be a key. */
const presenceChange = object({ room: text(1), userId: text(1), joinedBy: optional(text(1, 128)) });

/**
 * The presence worker, fed by the presence queue with a batching window of one presence interval. A record
 * that cannot be a change (unparsable, a room name outside the rule) is logged and dropped: it would fail
 * the same way every time. A room whose processing fails is reported for its own records only
 * (ReportBatchItemFailures); the queue retries them and, past maxReceiveCount, moves them to the dead-letter queue.
 */
export function createPresenceWorkerHandler(dependencies: DependencyFactory, observability: Observability) {
  const { logger, metrics } = observability;
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await dependenciesOf();
    const changes = event.Records.flatMap((record) => {
      const change = parseChange(record);
      if (change) return [change];
      logger.warn('Dropped a presence change that is not one', { messageId: record.messageId });
      metrics.addMetric('PresenceChangesDropped', 'Count', 1);
      return [];
    });
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const result = await announcePresence({ ...deps, pause }, changes);
    for (const { room, error } of result.errors) {
      logger.error('Presence of a room failed; the queue will retry its changes', { room, error: error as Error });
    }
    metrics.addMetric('PresenceChanges', 'Count', changes.length);
    metrics.addMetric('PresenceFrames', 'Count', result.frames);
    metrics.addMetric('PresenceRoomFailures', 'Count', result.errors.length);
    return { batchItemFailures: result.failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

function parseChange(record: SQSRecord): ReceivedChange | undefined {
  try {
    const change = validate(presenceChange, JSON.parse(record.body));
    return isValidRoomName(change.room) ? { id: record.messageId, change } : undefined;
  } catch {
    // Reported by the caller, which logs the record it could not read.
    return undefined;
  }
}

export const handler = createPresenceWorkerHandler(createDependencyFactory(), createObservability());
