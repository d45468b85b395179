import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most 10 entries. */
const BATCH_LIMIT = 10;

/**
 * Sends each body as one SQS message (as JSON), ten to a request; throws when SQS refuses any of them, naming
 * `what` they are. What the fan-out queue and the presence changes both need.
 */
export async function sendInBatches(
  client: SQSClient,
  queueUrl: string,
  bodies: unknown[],
  what: string,
): Promise<void> {
  for (let at = 0; at < bodies.length; at += BATCH_LIMIT) {
    const chunk = bodies.slice(at, at + BATCH_LIMIT);
    const { Failed } = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) })),
      }),
    );
    if (Failed && Failed.length > 0) {
      throw new Error(`SQS refused ${Failed.length} ${what}: ${Failed.map((f) => f.Code).join(', ')}`);
    }
  }
}
