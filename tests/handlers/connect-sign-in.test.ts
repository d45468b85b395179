import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type LocalQueues, startLocalQueues } from '../../packages/local/src/local-queues';
import type { DependencyFactory } from '../../src/composition-root';
import type { WebSocketEvent, WebSocketResult } from '../../src/handlers/ws/ws-event';
import { type EmbeddedTable, PROJECT_ROOT, startEmbeddedTable } from '../support/embedded-table';

/**
 * `$connect` in each auth mode, from the sample event with what API Gateway adds in that mode: the
 * authorizer's context (jwt) or the SigV4 signer's identity (iam). Against the embedded DynamoDB.
 */
const loadEvent = (name: string) =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', name), 'utf8')) as WebSocketEvent;
const SAMPLE = loadEvent('connect.json');
/** An IAM-authorised `$connect` of a Cognito identity pool guest, as API Gateway sends it (signature in the query). */
const IAM_SAMPLE = loadEvent('connect-iam.json');
const context = { functionName: 'ConnectFunction', awsRequestId: 'r-1' } as unknown as Context;

let table: EmbeddedTable;
let queues: LocalQueues;
let sqs: SQSClient;
let dependencies: DependencyFactory;
let handlerFor: (authMode: 'anonymous' | 'jwt' | 'iam') => (event: WebSocketEvent) => Promise<WebSocketResult>;
let counter = 0;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'connect-sign-in-test-secret-0123',
    POWERTOOLS_SERVICE_NAME: 'connect-sign-in-test',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  table = await startEmbeddedTable();
  queues = await startLocalQueues({
    queues: [{ logicalId: 'SignInExpiryQueue', attributes: {} }],
    region: 'us-east-1',
  });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: queues.endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const { createDependencyFactory } = await import('../../src/composition-root');
  const { loadConfig } = await import('../../src/config');
  const { createConnectHandler } = await import('../../src/handlers/connect');
  const { createObservability } = await import('../../src/handlers/observability');
  dependencies = createDependencyFactory(
    loadConfig({
      TABLE_NAME: table.table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      TOKEN_SECRET: 'connect-sign-in-test-secret-0123',
      // No room at connect: these tests are about who connects, not presence.
      JOIN_DEFAULT_ROOM_ON_CONNECT: 'false',
      SIGN_IN_EXPIRY_QUEUE_URL: queues.urlOf('SignInExpiryQueue'),
      SQS_ENDPOINT: queues.endpoint,
      AWS_REGION: 'us-east-1',
    }),
  );
  handlerFor = (authMode) => {
    const handler = createConnectHandler(dependencies, createObservability(), { authMode });
    return (event) => handler(event, context) as Promise<WebSocketResult>;
  };
});
afterAll(async () => {
  sqs.destroy();
  await Promise.all([table.stop(), queues.stop()]);
});

function handshake(change: (event: WebSocketEvent) => void = () => undefined): WebSocketEvent {
  const event = structuredClone(SAMPLE);
  counter += 1;
  event.requestContext.connectionId = `sign-in-${counter}=`;
  event.queryStringParameters = { name: 'Ada' };
  change(event);
  return event;
}

/** The IAM sample on a connection of its own, with another Cognito identity id if given. */
function iamHandshake(cognitoIdentityId?: string): WebSocketEvent {
  const event = structuredClone(IAM_SAMPLE);
  counter += 1;
  event.requestContext.connectionId = `sign-in-${counter}=`;
  if (cognitoIdentityId !== undefined && event.requestContext.identity) {
    event.requestContext.identity.cognitoIdentityId = cognitoIdentityId;
  }
  return event;
}

async function connectionItem(connectionId: string) {
  const { Item } = await table.table.client.send(
    new GetCommand({ TableName: table.table.tableName, Key: { pk: `CONN#${connectionId}`, sk: 'META' } }),
  );
  return Item;
}

describe('$connect with AuthMode=jwt', () => {
  it('files the connection under the authorizer’s subject and accepts the switchboard subprotocol', async () => {
    // Expired a second ago by the time it is handled: the expiry check is due after the queue's 5 s floor.
    const exp = Math.floor(Date.now() / 1000) - 1;
    const event = handshake((e) => {
      e.headers = { ...e.headers, 'Sec-WebSocket-Protocol': 'switchboard, aaa.bbb.ccc' };
      e.queryStringParameters = {};
      e.requestContext.authorizer = { principalId: 'alice', sub: 'alice', name: 'Alice', exp, integrationLatency: 12 };
    });

    const result = await handlerFor('jwt')(event);

    expect(result).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'switchboard' } });
    expect(await connectionItem(event.requestContext.connectionId)).toMatchObject({
      userId: 'alice@jwt',
      name: 'Alice',
      signedIn: { method: 'jwt', expiresAt: new Date(exp * 1000).toISOString() },
    });
    const received: unknown[] = [];
    for (let attempt = 0; attempt < 5 && received.length === 0; attempt += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queues.urlOf('SignInExpiryQueue'), WaitTimeSeconds: 2 }),
      );
      received.push(...(Messages ?? []).map((message) => JSON.parse(message.Body ?? '') as unknown));
    }
    expect(received).toEqual([
      { connectionId: event.requestContext.connectionId, expiresAt: new Date(exp * 1000).toISOString() },
    ]);
  });

  it('refuses (401) a handshake that reached it without the authorizer’s context, writing nothing', async () => {
    const event = handshake();

    const result = await handlerFor('jwt')(event);

    expect(result.statusCode).toBe(401);
    expect(await connectionItem(event.requestContext.connectionId)).toBeUndefined();
  });
});

describe('$connect with AuthMode=iam', () => {
  it('takes the Cognito identity id as the subject when the credentials came from an identity pool', async () => {
    const event = iamHandshake();

    expect((await handlerFor('iam')(event)).statusCode).toBe(200);
    expect(await connectionItem(event.requestContext.connectionId)).toMatchObject({
      userId: 'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0@iam',
      name: 'Ada',
      signedIn: { method: 'iam' },
    });
  });

  it('keeps two guests of one identity pool apart, though they share the role’s ARN, and finds each again', async () => {
    // Every guest of a pool signs as the same assumed role: only the identity id tells them apart.
    const first = iamHandshake('us-east-1:11111111-2222-4333-8444-555555555555');
    const second = iamHandshake('us-east-1:66666666-7777-4888-9999-aaaaaaaaaaaa');
    const firstAgain = iamHandshake('us-east-1:11111111-2222-4333-8444-555555555555');

    for (const event of [first, second, firstAgain]) expect((await handlerFor('iam')(event)).statusCode).toBe(200);

    const [a, b, again] = await Promise.all(
      [first, second, firstAgain].map((event) => connectionItem(event.requestContext.connectionId)),
    );
    expect(a?.userId).toBe('us-east-1:11111111-2222-4333-8444-555555555555@iam');
    expect(b?.userId).toBe('us-east-1:66666666-7777-4888-9999-aaaaaaaaaaaa@iam');
    expect(again).toMatchObject({ userId: a?.userId, resumed: true });
    expect(a?.resumed).toBe(false);
  });

  it('refuses (401) an IAM handshake that reached it without any identity, writing nothing', async () => {
    const event = iamHandshake();
    delete event.requestContext.identity;

    const result = await handlerFor('iam')(event);

    expect(result.statusCode).toBe(401);
    expect(await connectionItem(event.requestContext.connectionId)).toBeUndefined();
  });

  it('takes the signer’s ARN otherwise', async () => {
    const event = handshake((e) => {
      e.requestContext.identity = { ...e.requestContext.identity, userArn: 'arn:aws:iam::123456789012:user/device-7' };
    });

    expect((await handlerFor('iam')(event)).statusCode).toBe(200);
    expect(await connectionItem(event.requestContext.connectionId)).toMatchObject({
      userId: 'arn:aws:iam::123456789012:user/device-7@iam',
    });
  });
});

describe('$connect with AuthMode=anonymous', () => {
  it('ignores any identity in the request and makes an anonymous user', async () => {
    const event = handshake((e) => {
      e.requestContext.identity = { ...e.requestContext.identity, userArn: 'arn:aws:iam::123456789012:user/x' };
      e.requestContext.authorizer = { sub: 'alice' };
    });

    expect(await handlerFor('anonymous')(event)).toEqual({ statusCode: 200 });
    const item = await connectionItem(event.requestContext.connectionId);
    expect(item?.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(item?.signedIn).toBeUndefined();
  });
});
