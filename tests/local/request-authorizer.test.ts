import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ClientOptions } from 'ws';
import { type LocalStack, startLocalStack } from '../../packages/local/src/stack';
import { FIXTURES } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const TENANT: ClientOptions = { headers: { 'x-tenant': 'acme' } };

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    templatePath: join(FIXTURES, 'authorizer-template.yaml'),
    projectRoot: FIXTURES,
    wsPort: 0,
    httpPort: 0,
    dynamoPort: 0,
    dataDir: null,
    log: (line) => lines.push(line),
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials }),
  );
});

afterAll(async () => {
  documents.destroy();
  await stack.stop();
});

const record = async (pk: string): Promise<Record<string, unknown> | undefined> =>
  (await documents.send(new GetCommand({ TableName: stack.tableName('RecordsTable'), Key: { pk } }))).Item;

const url = (query: Record<string, string>): string =>
  `${stack.wsUrl}/${stack.stage}?${new URLSearchParams(query).toString()}`;

/** The HTTP status that refused the handshake. */
async function refusal(query: Record<string, string>, options = TENANT): Promise<number> {
  const error = await openSocket(url(query), undefined, options).then(
    (socket) => {
      socket.ws.close();
      throw new Error('the handshake was accepted');
    },
    (refused: { status?: number }) => refused,
  );
  return error.status ?? 0;
}

describe('a REQUEST authorizer on $connect', () => {
  it('answers 401 without running the authorizer when an identity source is missing', async () => {
    const noToken = randomUUID();
    const noHeader = randomUUID();

    expect(await refusal({ nonce: noToken })).toBe(401);
    expect(await refusal({ nonce: noHeader, token: 'allow-ann' }, { headers: {} })).toBe(401);
    expect(await record(`authorizer#${noToken}`)).toBeUndefined();
    expect(await record(`authorizer#${noHeader}`)).toBeUndefined();
  });

  it('gives the authorizer the REQUEST event: method ARN, headers, query string, stage variables, request context', async () => {
    const nonce = randomUUID();
    const socket = await openSocket(url({ nonce, token: 'allow-ann' }), undefined, TENANT);
    socket.ws.close();

    const event = JSON.parse(String((await record(`authorizer#${nonce}`))?.event)) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:us-east-1:123456789012:${stack.apiId}/${stack.stage}/$connect`,
      headers: expect.objectContaining({ 'x-tenant': 'acme' }),
      multiValueHeaders: expect.objectContaining({ 'x-tenant': ['acme'] }),
      queryStringParameters: { nonce, token: 'allow-ann' },
      multiValueQueryStringParameters: { nonce: [nonce], token: ['allow-ann'] },
      stageVariables: {},
      requestContext: expect.objectContaining({ routeKey: '$connect', eventType: 'CONNECT', apiId: stack.apiId }),
    });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('puts principalId and the context, as strings, in $connect, every route and $disconnect of the connection', async () => {
    const nonce = randomUUID();
    const socket = await openSocket(url({ nonce, token: 'allow-ann' }), undefined, TENANT);
    socket.ws.send(JSON.stringify({ action: 'anything' }));
    const reply = await socket.next<{ connectionId: string; authorizer: Record<string, unknown> }>();
    socket.ws.close();
    await socket.closed;

    const expected = { principalId: 'user-ann', name: 'ann', level: '3', admin: 'false' };
    const connect = await record(`connect#${nonce}`);
    expect(connect?.authorizer).toEqual({ ...expected, integrationLatency: expect.any(Number) });
    expect(reply.authorizer).toEqual(expected);
    let disconnect: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !disconnect; i += 1) {
      disconnect = await record(`disconnect#${reply.connectionId}`);
      if (!disconnect) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(disconnect?.authorizer).toEqual(expected);
  });

  it('accepts a policy whose resource matches the method ARN through a wildcard', async () => {
    const socket = await openSocket(url({ nonce: randomUUID(), token: 'wildcard' }), undefined, TENANT);
    socket.ws.send('{}');

    expect(await socket.next()).toMatchObject({ authorizer: { principalId: 'wild' } });
    socket.ws.close();
  });

  it('answers 403 to a Deny, and to an Allow of some other resource', async () => {
    expect(await refusal({ nonce: randomUUID(), token: 'deny' })).toBe(403);
    expect(await refusal({ nonce: randomUUID(), token: 'elsewhere' })).toBe(403);
  });

  it('answers 401 when the authorizer fails with Unauthorized', async () => {
    expect(await refusal({ nonce: randomUUID(), token: 'unauthorized' })).toBe(401);
  });

  it('answers 500 when the authorizer crashes or answers something API Gateway cannot read, and says why in the log', async () => {
    expect(await refusal({ nonce: randomUUID(), token: 'crash' })).toBe(500);
    expect(await refusal({ nonce: randomUUID(), token: 'malformed' })).toBe(500);
    expect(await refusal({ nonce: randomUUID(), token: 'nested' })).toBe(500);
    expect(lines.filter((l) => l.includes('TokenAuthorizer') && l.includes(' 500 '))).toEqual([
      expect.stringContaining('authorizer crashed on crash'),
      expect.stringContaining('no principalId'),
      expect.stringContaining('context.user'),
    ]);
  });

  it('runs no $connect for a refused handshake', async () => {
    const nonce = randomUUID();

    expect(await refusal({ nonce, token: 'deny' })).toBe(403);
    expect(await record(`authorizer#${nonce}`)).toBeDefined();
    expect(await record(`connect#${nonce}`)).toBeUndefined();
  });
});

describe('an authorizer that a template condition leaves out', () => {
  it('is not run: the handshake needs no token and the events carry no authorizer', async () => {
    const open = await startLocalStack({
      templatePath: join(FIXTURES, 'authorizer-template.yaml'),
      projectRoot: FIXTURES,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir: null,
      quiet: true,
      log: () => undefined,
      parameters: { Auth: 'none' },
    });
    try {
      const socket = await openSocket(`${open.wsUrl}/${open.stage}`);
      socket.ws.send('{}');

      const reply = await socket.next<Record<string, unknown>>();
      expect(reply.routeKey).toBe('$default');
      expect(reply).not.toHaveProperty('authorizer');
      socket.ws.close();
      await socket.closed;
    } finally {
      await open.stop();
    }
  });
});

describe('a connection that a previous run left open', () => {
  it('gets its authorizer context in the $disconnect the next start runs for it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-authorizer-'));
    const connectionId = 'LeftOpenConn1234=';
    const authorizer = { principalId: 'user-zoe', name: 'zoe' };
    mkdirSync(dataDir, { recursive: true });
    const connection = { connectionId, connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'test', authorizer };
    writeFileSync(join(dataDir, 'open-connections.jsonl'), `${JSON.stringify({ op: 'open', connection })}\n`);
    const restarted = await startLocalStack({
      templatePath: join(FIXTURES, 'authorizer-template.yaml'),
      projectRoot: FIXTURES,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir,
      quiet: true,
      log: () => undefined,
    });
    const reader = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: restarted.dynamoEndpoint, region: 'us-east-1', credentials }),
    );
    try {
      const { Item } = await reader.send(
        new GetCommand({ TableName: restarted.tableName('RecordsTable'), Key: { pk: `disconnect#${connectionId}` } }),
      );

      expect(Item?.authorizer).toEqual(authorizer);
    } finally {
      reader.destroy();
      await restarted.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
