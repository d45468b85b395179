import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import type { DependencyFactory } from '../../src/composition-root';
import { type EmbeddedTable, PROJECT_ROOT, startEmbeddedTable } from '../support/embedded-table';

/**
 * The sign-in expiry worker on its sample event, against the embedded DynamoDB and an `@connections`
 * endpoint that records what it is asked: a due check ends its connection with `token_expired` and a close.
 */
const SAMPLE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', 'sign-in-expiry-worker.json'), 'utf8')) as SQSEvent;
const context = { functionName: 'SignInExpiryWorkerFunction', awsRequestId: 'r-1' } as unknown as Context;

let table: EmbeddedTable;
let connections: Server;
let dependencies: DependencyFactory;
let run: (event: SQSEvent) => Promise<unknown>;
const calls: Array<{ method: string; connectionId: string; body: string }> = [];

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'expiry-test-secret-0123456789',
    POWERTOOLS_SERVICE_NAME: 'expiry-test',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  table = await startEmbeddedTable();
  connections = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({
        method: String(request.method),
        connectionId: decodeURIComponent(request.url?.split('/@connections/')[1] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(request.method === 'DELETE' ? 204 : 200).end();
    });
  });
  await new Promise<void>((resolve) => connections.listen(0, '127.0.0.1', resolve));
  const { createDependencyFactory } = await import('../../src/composition-root');
  const { loadConfig } = await import('../../src/config');
  const { createSignInExpiryWorkerHandler } = await import('../../src/handlers/sign-in-expiry-worker');
  const { createObservability } = await import('../../src/handlers/observability');
  dependencies = createDependencyFactory(
    loadConfig({
      TABLE_NAME: table.table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      MANAGEMENT_ENDPOINT: `http://127.0.0.1:${(connections.address() as AddressInfo).port}`,
      TOKEN_SECRET: 'expiry-test-secret-0123456789',
      PRESENCE_QUEUE_URL: 'http://127.0.0.1:9/unused',
      AWS_REGION: 'us-east-1',
    }),
  );
  const handler = createSignInExpiryWorkerHandler(dependencies, createObservability());
  run = (event) => handler(event, context);
});
afterAll(async () => {
  await new Promise((resolve) => connections.close(resolve));
  await table.stop();
});

function withBody(body: string): SQSEvent {
  const event = structuredClone(SAMPLE);
  if (event.Records[0]) event.Records[0].body = body;
  return event;
}

describe('the sign-in expiry worker', () => {
  it('sends token_expired and closes a signed-in connection whose token has expired', async () => {
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const deps = await dependencies();
    await deps.connections.register({
      connectionId: 'expiring-1=',
      userId: 'alice@jwt',
      name: 'Alice',
      connectedAt: new Date().toISOString(),
      resumed: false,
      signedIn: { method: 'jwt', expiresAt },
    });

    const result = await run(withBody(JSON.stringify({ connectionId: 'expiring-1=', expiresAt })));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls.map(({ method, connectionId }) => [method, connectionId])).toEqual([
      ['POST', 'expiring-1='],
      ['DELETE', 'expiring-1='],
    ]);
    expect(JSON.parse(calls[0]?.body ?? '')).toMatchObject({ type: 'error', code: 'token_expired' });
  });

  it('drops a record that is not a check, and does nothing for the sample’s long-gone connection', async () => {
    calls.length = 0;

    expect(await run(withBody('not json'))).toEqual({ batchItemFailures: [] });
    expect(await run(SAMPLE)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
  });
});
