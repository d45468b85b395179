import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../../domain/ports/clock';
import type { SignInExpiry, SignInExpiryCheck } from '../../domain/ports/sign-in-expiry';

/** SQS delays a message by at most 15 minutes; a later expiry is reached in hops of this. */
export const MAX_DELAY_SECONDS = 900;
/**
 * `$connect` sends the first check before it writes the connection (so that a failed send leaves nothing
 * behind): a check that came sooner than this might find no connection yet and end nothing.
 */
export const MIN_DELAY_SECONDS = 5;

/**
 * Expiry checks as delayed SQS messages (`{"connectionId","expiresAt"}`), delivered at the expiry or, when
 * that is further than SQS can delay, after 15 minutes (the worker sends it again while the connection is
 * open). A connection lives at most 2 hours, so a check costs at most 8 messages, and none after the first
 * that finds its connection closed.
 */
export class SqsSignInExpiry implements SignInExpiry {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
  ) {}

  async schedule(check: SignInExpiryCheck): Promise<void> {
    const seconds = Math.ceil((Date.parse(check.expiresAt) - this.clock.now().getTime()) / 1000);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ connectionId: check.connectionId, expiresAt: check.expiresAt }),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(MIN_DELAY_SECONDS, seconds)),
      }),
    );
  }
}
