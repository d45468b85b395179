import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-local-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function documentsAt(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials }));
}

describe('the embedded DynamoDB', () => {
  it('creates the tables of the template, with their key schema and indexes', async () => {
    const stack = await startFixtureStack({ quiet: true });
    const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: stack.tableName('ConnectionsTable') }));

      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['gsi1']);
    } finally {
      client.destroy();
      await stack.stop();
    }
  });

  it('serves a template without tables on first call: a function may create and use a table of its own', async () => {
    const lazyDir = mkdtempSync(join(tmpdir(), 'switchboard-local-lazy-'));
    const start = () =>
      startFixtureStack({ quiet: true, dataDir: lazyDir, templatePath: join(FIXTURES, 'queue-template.yaml') });
    try {
      const first = await start();
      const client = new DynamoDBClient({ endpoint: first.dynamoEndpoint, region: 'us-east-1', credentials });
      try {
        await client.send(
          new CreateTableCommand({
            TableName: 'Own',
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          }),
        );
        // dynalite makes a table ACTIVE a moment after CreateTable answers, as DynamoDB does.
        await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: 'Own' });
        await documentsAt(first.dynamoEndpoint).send(new PutCommand({ TableName: 'Own', Item: { id: 'a', n: 1 } }));
      } finally {
        client.destroy();
        await first.stop();
      }
      const second = await start();
      try {
        const { Item } = await documentsAt(second.dynamoEndpoint).send(
          new GetCommand({ TableName: 'Own', Key: { id: 'a' } }),
        );

        expect(Item).toEqual({ id: 'a', n: 1 });
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(lazyDir, { recursive: true, force: true });
    }
  });

  it('keeps data across restarts with a data dir', async () => {
    const first = await startFixtureStack({ quiet: true, dataDir });
    const writer = documentsAt(first.dynamoEndpoint);
    try {
      await writer.send(new PutCommand({ TableName: 'ConnectionsTable', Item: { pk: 'kept', sk: 'meta', value: 42 } }));
    } finally {
      writer.destroy();
      await first.stop();
    }
    const second = await startFixtureStack({ quiet: true, dataDir });
    const reader = documentsAt(second.dynamoEndpoint);
    try {
      const { Item } = await reader.send(
        new GetCommand({ TableName: 'ConnectionsTable', Key: { pk: 'kept', sk: 'meta' } }),
      );

      expect(Item).toEqual({ pk: 'kept', sk: 'meta', value: 42 });
    } finally {
      reader.destroy();
      await second.stop();
    }
  });
});
