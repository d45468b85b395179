import { setMaxListeners } from 'node:events';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime';
import type { SqsEventSourceModel } from './queue-model';

export interface SqsEventSourceOptions {
  source: SqsEventSourceModel;
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  runtime: LambdaRuntime;
  /** Pollers when the template sets no `ScalingConfig.MaximumConcurrency`. */
  defaultConcurrency: number;
  logEvent: ((line: string) => void) | null;
  log: (line: string) => void;
}

export interface SqsEventSource {
  /** Stops polling and waits for the batches in flight. */
  stop(): Promise<void>;
}

/** The most messages one ReceiveMessage returns. */
const RECEIVE_MAX = 10;
/** Within a batching window, how long a poller waits after a receive that did not fill up. */
const GATHER_PAUSE_MS = 100;

/**
 * Lambda's SQS event source mapping, locally: pollers (as many as `MaximumConcurrency`) long-poll the queue,
 * gather up to `BatchSize` records for at most `MaximumBatchingWindowInSeconds`, invoke the function with
 * the SQS event AWS sends, and delete what succeeded. With `ReportBatchItemFailures`, the records the handler
 * names stay; an error, or a response naming a record not in the batch, leaves the whole batch. What stays
 * is received again after its visibility timeout, and moved to the dead-letter queue by the queue's own
 * redrive policy after `maxReceiveCount` receives: the same path as in AWS.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { source, client } = options;
  const abort = new AbortController();
  // Every receive of every poller listens on this one signal.
  setMaxListeners(0, abort.signal);
  const concurrency = Math.max(1, source.maximumConcurrency ?? options.defaultConcurrency);
  const label = `${source.functionId} <- ${source.queueId}`;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(RECEIVE_MAX, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(source.batchSize, 1);
    if (batch.length === 0) return batch;
    const closes = Date.now() + source.maximumBatchingWindowSeconds * 1000;
    while (batch.length < source.batchSize && Date.now() < closes && !abort.signal.aborted) {
      const wanted = Math.min(RECEIVE_MAX, source.batchSize - batch.length);
      const more = await receive(wanted, 0);
      batch.push(...more);
      // A short receive means the queue is drained for now: look again a little later, not at once, so that
      // a trickle of messages costs a few receives per window rather than one receive per message.
      if (more.length < wanted) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, Math.min(GATHER_PAUSE_MS, closes - Date.now()))),
        );
      }
    }
    return batch;
  };

  const deliver = async (batch: Message[]): Promise<void> => {
    const records = batch.map((message) => toRecord(message, options.queueArn, options.region));
    let failed: Set<string>;
    try {
      const result = await options.runtime.invoke(source.functionId, { Records: records } satisfies SQSEvent);
      failed = source.reportBatchItemFailures ? failedIds(result, records) : new Set();
    } catch (error) {
      options.logEvent?.(
        `  ${label}: invocation failed (${error instanceof Error ? error.message : String(error)}), ${records.length} records return after their visibility timeout`,
      );
      return;
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    for (let at = 0; at < done.length; at += RECEIVE_MAX) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done
            .slice(at, at + RECEIVE_MAX)
            .map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    options.logEvent?.(`  ${label}: ${records.length} records, ${failed.size} failed`);
  };

  const poll = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const batch = await gather();
        if (batch.length > 0) await deliver(batch);
      } catch (error) {
        if (abort.signal.aborted) return;
        options.log(`! ${label}: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  const pollers = Array.from({ length: concurrency }, () => poll());

  return {
    stop: async () => {
      abort.abort();
      await Promise.all(pollers);
    },
  };
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          ...(value.BinaryValue === undefined
            ? {}
            : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
          dataType: value.DataType ?? 'String',
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The records a `ReportBatchItemFailures` response names. As in AWS, a response that names a record not in
 * the batch (or names none by an empty id) fails the whole batch.
 */
function failedIds(result: unknown, records: SQSRecord[]): Set<string> {
  const all = new Set(records.map((record) => record.messageId));
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const named = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    named.add(id);
  }
  return named;
}
