import { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../../domain/ports/clock';
import type { FanOutQueue } from '../../domain/ports/fan-out-queue';
import type { PresenceChanges } from '../../domain/ports/presence-changes';
import type { SignInExpiry } from '../../domain/ports/sign-in-expiry';
import { SqsFanOutQueue } from './sqs-fan-out-queue';
import { SqsPresenceChanges } from './sqs-presence-changes';
import { SqsSignInExpiry } from './sqs-sign-in-expiry';

/**
 * The SQS adapters of one container, on one client. The composition root loads this module on the first
 * message: it imports the SDK statically (bundled as a `require`, which the Lambda runtime resolves from its
 * NODE_PATH, where an `import()` of an @aws-sdk package would not be).
 */
export class SqsQueues {
  private readonly client: SQSClient;

  constructor(options: { region: string; endpoint?: string }) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  }

  fanOutQueue(queueUrl: string): FanOutQueue {
    return new SqsFanOutQueue(this.client, queueUrl);
  }

  presenceChanges(queueUrl: string): PresenceChanges {
    return new SqsPresenceChanges(this.client, queueUrl);
  }

  signInExpiry(queueUrl: string, clock: Clock): SignInExpiry {
    return new SqsSignInExpiry(this.client, queueUrl, clock);
  }
}
