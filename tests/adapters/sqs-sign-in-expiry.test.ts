import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalQueues, startLocalQueues } from '../../packages/local/src/local-queues';
import { SqsSignInExpiry } from '../../src/adapters/sqs/sqs-sign-in-expiry';

let queues: LocalQueues;
let client: SQSClient;

beforeAll(async () => {
  queues = await startLocalQueues({
    queues: [{ logicalId: 'Expiry', attributes: { VisibilityTimeout: '30' } }],
    region: 'us-east-1',
  });
  client = new SQSClient({
    region: 'us-east-1',
    endpoint: queues.endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
});
afterAll(async () => {
  client.destroy();
  await queues.stop();
});

async function receive(waitSeconds: number): Promise<unknown[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queues.urlOf('Expiry'),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
    }),
  );
  return (Messages ?? []).map((message) => JSON.parse(message.Body ?? '') as unknown);
}

describe('SqsSignInExpiry', () => {
  it('delivers the check when the token expires, not before', async () => {
    const clock = { now: () => new Date() };
    const expiresAt = new Date(Date.now() + 2_000).toISOString();

    await new SqsSignInExpiry(client, queues.urlOf('Expiry'), clock).schedule({ connectionId: 'c-1', expiresAt });

    expect(await receive(0)).toEqual([]);
    const later: unknown[] = [];
    for (let i = 0; i < 6 && later.length === 0; i += 1) later.push(...(await receive(1)));
    expect(later).toEqual([{ connectionId: 'c-1', expiresAt }]);
  });

  it('waits no longer than SQS can delay (15 minutes) for a far expiry, and 5 s for a past one', async () => {
    const now = new Date('2026-11-22T10:00:00.000Z');
    const expiry = new SqsSignInExpiry(client, queues.urlOf('Expiry'), { now: () => now });

    // An hour ahead is more than SQS can delay: a valid request, capped, so nothing arrives yet.
    await expiry.schedule({ connectionId: 'far', expiresAt: '2026-11-22T11:00:00.000Z' });
    await expiry.schedule({ connectionId: 'past', expiresAt: '2026-11-22T09:00:00.000Z' });

    // Not at once: `$connect` sends its check before it writes the connection the check must find.
    expect(await receive(2)).toEqual([]);
    const later: unknown[] = [];
    for (let i = 0; i < 8 && later.length === 0; i += 1) later.push(...(await receive(1)));
    expect(later).toEqual([{ connectionId: 'past', expiresAt: '2026-11-22T09:00:00.000Z' }]);
    expect(await receive(1)).toEqual([]);
  });
});
