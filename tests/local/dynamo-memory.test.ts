import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type EmbeddedDynamo, LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../../packages/local/src/dynamo-bootstrap';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dynamo: EmbeddedDynamo;
let documents: DynamoDBDocumentClient;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({
    port: 0,
    host: '127.0.0.1',
    dataDir: null,
    log: () => undefined,
    tables: [
      {
        logicalId: 'Items',
        tableName: 'Items',
        keySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        attributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      },
    ],
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    }),
  );
});
afterAll(async () => {
  documents.destroy();
  await dynamo.stop();
});

const arrayBuffersAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
};

describe('the in-memory embedded DynamoDB', () => {
  it('keeps about the size of what it stores, not a shared Buffer pool slab per item', async () => {
    const items = 1000;
    const put = (i: number) =>
      documents.send(
        new PutCommand({
          TableName: 'Items',
          Item: { pk: 'USER#soak', sk: `SESSION#${String(i).padStart(6, '0')}`, name: `user ${i}` },
        }),
      );
    for (let i = 0; i < 50; i += 1) await put(i);
    const before = arrayBuffersAfterGc();

    for (let i = 50; i < 50 + items; i += 1) await put(i);
    const perItem = (arrayBuffersAfterGc() - before) / items;

    // An item of this size takes about 200 bytes stored; a retained 8 KB slab per item would be ~40 times that.
    expect(perItem).toBeLessThan(2048);
  });
});
