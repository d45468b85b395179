import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbPresenceLedger } from '../../src/adapters/dynamodb/dynamodb-presence-ledger';
import type { TableContext } from '../../src/adapters/dynamodb/table';
import { createDependencyFactory, type DependencyFactory } from '../../src/composition-root';
import { loadConfig } from '../../src/config';
import { DEFAULT_ROOM, roomChannel } from '../../src/domain/model';
import { createObservability } from '../../src/handlers/observability';
import { type EmbeddedTable, startEmbeddedTable } from '../support/embedded-table';

/**
 * The real presence worker handler on the real composition root, against the embedded DynamoDB and an
 * `@connections` endpoint that records what it is sent: what a batch from the queue does, bad records included.
 */
let table: EmbeddedTable;
let connections: Server;
let dependencies: DependencyFactory;
const delivered: Array<{ connectionId: string; frame: Record<string, unknown> }> = [];
let createPresenceWorkerHandler: typeof import('../../src/handlers/presence-worker').createPresenceWorkerHandler;

const context = { functionName: 'PresenceWorkerFunction', awsRequestId: 'r-1' } as unknown as Context;

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:PresenceQueue',
    awsRegion: 'us-east-1',
  };
}

async function member(connectionId: string, userId: string, name: string, room = DEFAULT_ROOM): Promise<void> {
  const deps = await dependencies();
  const connection = { connectionId, userId, name, connectedAt: new Date().toISOString(), resumed: false };
  await deps.connections.register(connection);
  await deps.subscriptions.subscribe(roomChannel(room), connection);
}

/** Runs `work` once the room's presence interval (1 s) has ended. */
async function afterInterval<T>(work: () => Promise<T>): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  return work();
}

/** The real dependencies, with a presence ledger whose `failing`-th BatchWriteItem throws (as one can after its retries). */
function failingBatchWrite(failing: number): DependencyFactory {
  let batchWrites = 0;
  const send = (command: { constructor: { name: string } }) => {
    if (command.constructor.name === 'BatchWriteCommand' && ++batchWrites === failing) {
      return Promise.reject(new Error('DynamoDB left 25 presence writes unprocessed'));
    }
    return table.table.client.send(command as never);
  };
  const client = { send } as unknown as TableContext['client'];
  const presenceLedger = new DynamoDbPresenceLedger({ ...table.table, client });
  return async () => ({ ...(await dependencies()), presenceLedger });
}

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'presence-test-secret-0123456789',
    POWERTOOLS_SERVICE_NAME: 'presence-test',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  ({ createPresenceWorkerHandler } = await import('../../src/handlers/presence-worker'));
  table = await startEmbeddedTable();
  connections = createServer((request, response) => {
    const connectionId = decodeURIComponent(request.url?.split('/@connections/')[1] ?? '');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      delivered.push({ connectionId, frame: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => connections.listen(0, '127.0.0.1', resolve));
  dependencies = createDependencyFactory(
    loadConfig({
      TABLE_NAME: table.table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      MANAGEMENT_ENDPOINT: `http://127.0.0.1:${(connections.address() as AddressInfo).port}`,
      TOKEN_SECRET: 'presence-test-secret-0123456789',
      PRESENCE_QUEUE_URL: 'http://127.0.0.1:9/unused',
      AWS_REGION: 'us-east-1',
    }),
  );
});
afterAll(async () => {
  await new Promise((resolve) => connections.close(resolve));
  await table.stop();
});

describe('the presence worker handler', () => {
  it('drops records that are not changes, announces the rest, and fails none of the batch', async () => {
    await member('watcher-conn', 'watcher', 'Watcher');
    await member('ada-conn', 'ada', 'Ada');
    const handler = createPresenceWorkerHandler(dependencies, createObservability());
    const event: SQSEvent = {
      Records: [
        record('not-json', 'this is not json'),
        record('bad-room', JSON.stringify({ room: 'two words', userId: 'ada' })),
        record('no-user', JSON.stringify({ room: 'lobby' })),
        record('bad-joined-by', JSON.stringify({ room: 'lobby', userId: 'ada', joinedBy: 42 })),
        record('ada', JSON.stringify({ room: 'lobby', userId: 'ada' })),
        record('ada-again', JSON.stringify({ room: 'lobby', userId: 'ada', joinedBy: 'ada-conn' })),
      ],
    };

    const result = await handler(event, context);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(delivered.filter((sent) => sent.connectionId === 'watcher-conn').map((sent) => sent.frame)).toEqual([
      { type: 'presence', room: 'lobby', tick: 1, count: 1, joined: [{ userId: 'ada', name: 'Ada' }] },
    ]);
    // Ada's own connection hears nothing of her own join.
    expect(delivered.filter((sent) => sent.connectionId === 'ada-conn')).toEqual([]);
  });

  it('counts every user of a batch whose record failed part way once the queue delivers it again', async () => {
    const room = 'crowd';
    await member('crowd-watcher-conn', 'crowd-watcher', 'Watcher', room);
    const arrivals = Array.from({ length: 40 }, (_, i) => `crowd-${i}`);
    for (const userId of arrivals) await member(`${userId}-conn`, userId, userId, room);
    const change = (userId: string) => record(userId, JSON.stringify({ room, userId }));
    const batch: SQSEvent = { Records: ['crowd-watcher', ...arrivals].map(change) };

    const failed = await createPresenceWorkerHandler(failingBatchWrite(2), createObservability())(batch, context);
    const retried = await afterInterval(() =>
      createPresenceWorkerHandler(dependencies, createObservability())(batch, context),
    );
    await member('late-conn', 'late', 'Late', room);
    await afterInterval(() =>
      createPresenceWorkerHandler(dependencies, createObservability())({ Records: [change('late')] }, context),
    );

    expect(failed?.batchItemFailures).toHaveLength(41);
    expect(retried).toEqual({ batchItemFailures: [] });
    // The failed worker told nobody, and its joins are not listed again (`who` has them), but the count is right.
    const toWatcher = delivered.filter((sent) => sent.connectionId === 'crowd-watcher-conn').map((sent) => sent.frame);
    expect(toWatcher).toEqual([
      { type: 'presence', room, tick: 3, count: 42, joined: [{ userId: 'late', name: 'Late' }] },
    ]);
  });
});
