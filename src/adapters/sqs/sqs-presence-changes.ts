import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PresenceChange, PresenceChanges } from '../../domain/ports/presence-changes';
import { sendInBatches } from './send-in-batches';

/**
 * Presence changes as SQS messages (`{"room","userId","joinedBy"?}`), sent ten to a request: one request for a
 * handshake.
 */
export class SqsPresenceChanges implements PresenceChanges {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  mark(changes: PresenceChange[]): Promise<void> {
    const bodies = changes.map(({ room, userId, joinedBy }) => ({
      room,
      userId,
      ...(joinedBy === undefined ? {} : { joinedBy }),
    }));
    return sendInBatches(this.client, this.queueUrl, bodies, 'presence changes');
  }
}
