import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { createDependencyFactory, type DependencyFactory } from '../../src/composition-root';
import { loadConfig } from '../../src/config';
import { createObservability } from '../../src/handlers/observability';
import { createWsHandler } from '../../src/handlers/ws/create-ws-handler';
import type { WebSocketEvent } from '../../src/handlers/ws/ws-event';
import { type EmbeddedTable, PROJECT_ROOT, startEmbeddedTable } from '../support/embedded-table';

/**
 * The real connect and chat handlers, on the real composition root, against the embedded DynamoDB and an
 * `@connections` endpoint that answers as API Gateway does: 200, 410 Gone for a dead connection, 429 when
 * the account's callback throttle is hit. What Powertools writes (log lines, EMF metrics) is read from stdout and stderr.
 */
const answers = new Map<string, { status: number; type: string }>();
let table: EmbeddedTable;
let connections: Server;
let dependencies: DependencyFactory;

function startConnectionsEndpoint(): Promise<Server> {
  const server = createServer((request, response) => {
    const id = decodeURIComponent(request.url?.split('/@connections/')[1] ?? '');
    request.resume().on('end', () => {
      const answer = answers.get(id);
      if (!answer) return void response.writeHead(200).end();
      response.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.type });
      response.end(JSON.stringify({ message: answer.type }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function loadEvent(name: string, connectionId: string): WebSocketEvent {
  const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', name), 'utf8')) as WebSocketEvent;
  event.requestContext.connectionId = connectionId;
  event.requestContext.connectedAt = Date.now();
  event.requestContext.requestTimeEpoch = Date.now();
  return event;
}

const context = {
  functionName: 'ChatFunction',
  functionVersion: '$LATEST',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ChatFunction',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** The JSON lines Powertools writes (warnings and errors to stderr, the rest to stdout) while `act` runs. */
async function capturedLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// The handler modules build their own handler at load, from the environment: load them once it is set.
let handlers: {
  chatRoutes: typeof import('../../src/handlers/chat').chatRoutes;
  createConnectHandler: typeof import('../../src/handlers/connect').createConnectHandler;
};

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'delivery-test-secret-0123456789',
    POWERTOOLS_SERVICE_NAME: 'delivery-test',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  handlers = { ...(await import('../../src/handlers/chat')), ...(await import('../../src/handlers/connect')) };
  table = await startEmbeddedTable();
  connections = await startConnectionsEndpoint();
  dependencies = createDependencyFactory(
    loadConfig({
      TABLE_NAME: table.table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      MANAGEMENT_ENDPOINT: `http://127.0.0.1:${(connections.address() as AddressInfo).port}`,
      TOKEN_SECRET: 'delivery-test-secret-0123456789',
      AWS_REGION: 'us-east-1',
    }),
  );
});
afterAll(async () => {
  await new Promise((resolve) => connections.close(resolve));
  await table.stop();
});

describe('failed deliveries, seen at the edge', () => {
  it("counts a broadcast's gone and failed connections as metrics and logs the failed one once, with its context", async () => {
    const connect = handlers.createConnectHandler(dependencies, createObservability());
    for (const id of ['sender', 'gone-conn', 'throttled-conn', 'refused-conn']) {
      expect(await connect(loadEvent('connect.json', id), context)).toEqual({ statusCode: 200 });
    }
    answers.set('gone-conn', { status: 410, type: 'GoneException' });
    answers.set('throttled-conn', { status: 429, type: 'LimitExceededException' });
    answers.set('refused-conn', { status: 403, type: 'ForbiddenException' });
    const chat = createWsHandler({ routes: handlers.chatRoutes, dependencies, observability: createObservability() });

    const lines = await capturedLines(() => chat(loadEvent('sendmessage.json', 'sender'), context));

    const failures = lines.filter((line) => line.message === 'Delivery failed');
    expect(failures).toHaveLength(2);
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'WARN',
          connectionId: 'throttled-conn',
          channel: 'chat',
          frameType: 'chat',
          status: 429,
        }),
        expect.objectContaining({
          level: 'WARN',
          connectionId: 'refused-conn',
          channel: 'chat',
          frameType: 'chat',
          status: 403,
        }),
      ]),
    );
    const emf = lines.filter((line) => line._aws !== undefined);
    expect(emf).toEqual([
      expect.objectContaining({
        DeliveriesFailed: [1, 1],
        DeliveriesGone: 1,
        FramesHandled: 1,
        service: 'delivery-test',
      }),
    ]);
  });
});
