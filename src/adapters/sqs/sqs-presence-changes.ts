import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { PresenceChange, PresenceChanges } from '../../domain/ports/presence-changes';

/** SendMessageBatch takes at most 10 entries. */
const BATCH_LIMIT = 10;

/** Presence changes as SQS messages (`{"room","userId"}`), sent ten to a request: one request for a handshake. */
export class SqsPresenceChanges implements PresenceChanges {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** With a client of its own: what the composition root loads on the first change. */
  static create(options: { region: string; endpoint?: string; queueUrl: string }): SqsPresenceChanges {
    const client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    return new SqsPresenceChanges(client, options.queueUrl);
  }

  async mark(changes: PresenceChange[]): Promise<void> {
    for (let at = 0; at < changes.length; at += BATCH_LIMIT) {
      const chunk = changes.slice(at, at + BATCH_LIMIT);
      const { Failed } = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map(({ room, userId }, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify({ room, userId }),
          })),
        }),
      );
      if (Failed && Failed.length > 0) {
        throw new Error(`SQS refused ${Failed.length} presence changes: ${Failed.map((f) => f.Code).join(', ')}`);
      }
    }
  }
}
