import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalStack } from '../../packages/local/src/stack';
import { nextReport } from './fixtures/handlers/probe';
import { startFixtureStack } from './support/fixture-stack';

interface WorkerReport {
  event: { n?: number };
  functionName: string;
  remaining: number;
}

let stack: LocalStack;
let lambda: LambdaClient;
const payload = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

beforeAll(async () => {
  stack = await startFixtureStack({ quiet: true });
  lambda = new LambdaClient({
    endpoint: stack.connectionsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});

afterAll(async () => {
  lambda.destroy();
  await stack.stop();
});

describe('the local Lambda Invoke API, through the real SDK client', () => {
  it('runs a RequestResponse invocation and answers its result', async () => {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'WorkerFunction', Payload: payload({ n: 21 }) }),
    );

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(decode(output.Payload)).toEqual({ doubled: 42 });
  });

  it('answers 202 to an Event invocation and runs the handler in the background', async () => {
    const ran = nextReport<WorkerReport>('worker', (r) => r.event.n === 7);

    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: 'WorkerFunction',
        InvocationType: 'Event',
        Payload: payload({ n: 7 }),
      }),
    );

    expect(output.StatusCode).toBe(202);
    const report = await ran;
    expect(report.functionName).toBe('WorkerFunction');
    expect(report.remaining).toBeGreaterThan(4000);
    expect(report.remaining).toBeLessThanOrEqual(5000);
  });

  it('accepts a function ARN as the name', async () => {
    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:WorkerFunction',
        Payload: payload({ n: 1 }),
      }),
    );

    expect(decode(output.Payload)).toEqual({ doubled: 2 });
  });

  it('reports a handler error as FunctionError Unhandled', async () => {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'WorkerFunction', Payload: payload({ fail: true }) }),
    );

    expect(output.FunctionError).toBe('Unhandled');
    expect(decode(output.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'worker failed on purpose' });
  });

  it('throws ResourceNotFoundException for an unknown function', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'NoSuchFunction' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });
});
