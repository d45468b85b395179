import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { nextReport, probe } from './fixtures/handlers/probe';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';

interface BatchReport {
  event: SQSEvent;
  queueUrl: string;
}

/** Every record the worker receives from now on, in order. */
function recordReceives(): { receives: { body: string; receiveCount: string; batch: number }[]; stop: () => void } {
  const receives: { body: string; receiveCount: string; batch: number }[] = [];
  const listener = ({ event }: BatchReport): void => {
    for (const r of event.Records)
      receives.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount, batch: event.Records.length });
  };
  probe.on('batch', listener);
  return { receives, stop: () => probe.off('batch', listener) };
}

describe('the local SQS event source, run from the template', () => {
  let stack: Awaited<ReturnType<typeof startFixtureStack>>;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    stack = await startFixtureStack({ quiet: true, templatePath: join(FIXTURES, 'queue-template.yaml') });
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: stack.sqsEndpoint ?? '',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    queueUrl = stack.queueUrl('JobsQueue');
  });
  afterAll(async () => {
    sqs.destroy();
    await stack.stop();
  });

  it('invokes the worker with the SQS event records of a message sent through the SDK', async () => {
    const seen = nextReport<BatchReport>('batch', (r) => r.event.Records.some((x) => x.body === 'hello'));

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));

    const { event, queueUrl: fromEnv } = await seen;
    expect(fromEnv).toBe(queueUrl);
    expect(event.Records[0]).toMatchObject({
      body: 'hello',
      eventSource: 'aws:sqs',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(/^arn:aws:sqs:us-east-1:\d+:JobsQueue$/),
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('gathers up to the template batch size within its batching window', async () => {
    const log = recordReceives();
    const bodies = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const full = nextReport<BatchReport>('batch', (r) => r.event.Records.some((x) => x.body === 'b5'));

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    await full;
    log.stop();

    expect(log.receives.map((r) => r.body).sort()).toEqual(bodies);
    expect(Math.max(...log.receives.map((r) => r.batch))).toBeLessThanOrEqual(5);
    expect(Math.max(...log.receives.map((r) => r.batch))).toBeGreaterThan(1);
  });

  it('redelivers a record the worker reported failed, after the visibility timeout, and only that record', async () => {
    const log = recordReceives();
    const again = nextReport<BatchReport>(
      'batch',
      (r) => r.event.Records.some((x) => x.body === 'fail-once' && x.attributes.ApproximateReceiveCount === '2'),
      10_000,
    );

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'fail-once' },
          { Id: 'b', MessageBody: 'fine' },
        ],
      }),
    );
    await again;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    log.stop();

    expect(log.receives.filter((r) => r.body === 'fail-once').map((r) => r.receiveCount)).toEqual(['1', '2']);
    expect(log.receives.filter((r) => r.body === 'fine').map((r) => r.receiveCount)).toEqual(['1']);
  });

  it('redelivers the whole batch when the invocation throws', async () => {
    const again = nextReport<BatchReport>(
      'batch',
      (r) => r.event.Records.some((x) => x.body === 'throw' && x.attributes.ApproximateReceiveCount === '2'),
      10_000,
    );

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'throw' }));

    await expect(again).resolves.toBeDefined();
  });

  it('moves a record that fails maxReceiveCount times to the dead-letter queue', async () => {
    const log = recordReceives();
    const dlqUrl = stack.queueUrl('JobsDeadLetterQueue');

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    let dead: string[] = [];
    for (const started = Date.now(); dead.length === 0 && Date.now() - started < 15_000; ) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
      dead = (Messages ?? []).map((m) => m.Body ?? '');
    }
    log.stop();
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );

    expect(dead).toEqual(['poison']);
    expect(log.receives.filter((r) => r.body === 'poison').map((r) => r.receiveCount)).toEqual(['1', '2', '3']);
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });
});
