import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalQueues, startLocalQueues } from '../../packages/local/src/local-queues';
import { SqsFanOutQueue } from '../../src/adapters/sqs/sqs-fan-out-queue';
import type { FanOutJob } from '../../src/domain/fan-out/fan-out-job';

let queues: LocalQueues;
let client: SQSClient;

beforeAll(async () => {
  queues = await startLocalQueues({
    queues: [{ logicalId: 'Jobs', attributes: { VisibilityTimeout: '30' } }],
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

describe('SqsFanOutQueue', () => {
  it('sends every job as one JSON message, ten to a request, through the SDK to the local endpoint', async () => {
    const jobs: FanOutJob[] = Array.from({ length: 23 }, (_, index) => ({
      channel: 'topic:big',
      frame: { type: 'pong', at: 'now' },
      shard: { index, of: 23 },
      cursor: index % 2 ? `c${index}` : null,
    }));

    await new SqsFanOutQueue(client, queues.urlOf('Jobs')).enqueue(jobs);

    const received: FanOutJob[] = [];
    while (received.length < jobs.length) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queues.urlOf('Jobs'), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (!Messages?.length) break;
      received.push(...Messages.map((m) => JSON.parse(m.Body ?? '') as FanOutJob));
    }
    expect(received.sort((x, y) => x.shard.index - y.shard.index)).toEqual(jobs);
  });
});
