import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { startLocalStack } from '../../packages/local/src/stack';
import { FIXTURES } from './support/fixture-stack';

const TEMPLATE = join(FIXTURES, 'table-names-template.yaml');
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

describe('table names', () => {
  it('names each table by its TableName, with parameter values, else by its logical id', () => {
    const { model } = loadStackModel({ templatePath: TEMPLATE, parameterOverrides: { Prefix: 'qa' } });

    expect(Object.fromEntries(model.tables.map((t) => [t.logicalId, t.tableName]))).toEqual({
      NamedTable: 'qa-messages',
      UnnamedTable: 'UnnamedTable',
      DefaultSimpleTable: 'DefaultSimpleTable',
      KeyedSimpleTable: 'qa-sessions',
    });
  });

  it('leaves out a table whose Condition is false, as CloudFormation does', () => {
    const dev = loadStackModel({ templatePath: TEMPLATE });
    const prod = loadStackModel({ templatePath: TEMPLATE, parameterOverrides: { Prefix: 'prod' } });

    expect(dev.model.tables.map((t) => t.logicalId)).not.toContain('ProdOnlyTable');
    expect(prod.model.tables.map((t) => t.logicalId)).toContain('ProdOnlyTable');
  });

  it('gives !Ref and GetAtt Arn of a table the name the table is created under', () => {
    const { model, resolver } = loadStackModel({ templatePath: TEMPLATE });
    const environment = resolver.resolve(model.functions.get('ReaderFunction')?.environment ?? {});

    expect(environment).toEqual({
      NAMED: 'dev-messages',
      NAMED_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/dev-messages',
      SIMPLE: 'DefaultSimpleTable',
      KEYED: 'dev-sessions',
    });
  });

  it("reads a SimpleTable's PrimaryKey, or SAM's default of an `id` String", () => {
    const { model } = loadStackModel({ templatePath: TEMPLATE });
    const keyed = model.tables.find((t) => t.logicalId === 'KeyedSimpleTable');
    const plain = model.tables.find((t) => t.logicalId === 'DefaultSimpleTable');

    expect(keyed?.keySchema).toEqual([{ AttributeName: 'sessionNumber', KeyType: 'HASH' }]);
    expect(keyed?.attributeDefinitions).toEqual([{ AttributeName: 'sessionNumber', AttributeType: 'N' }]);
    expect(plain?.keySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(plain?.attributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('creates the tables under those names in the embedded DynamoDB, and tableName() says which', async () => {
    const stack = await startLocalStack({
      templatePath: TEMPLATE,
      projectRoot: FIXTURES,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir: null,
      quiet: true,
      log: () => undefined,
      parameters: { Prefix: 'qa' },
    });
    const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
    try {
      const names = ['NamedTable', 'UnnamedTable', 'DefaultSimpleTable', 'KeyedSimpleTable'].map(stack.tableName);
      const described = await Promise.all(
        names.map((TableName) => client.send(new DescribeTableCommand({ TableName }))),
      );

      expect(names).toEqual(['qa-messages', 'UnnamedTable', 'DefaultSimpleTable', 'qa-sessions']);
      expect(described.map((d) => d.Table?.TableStatus)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
      expect(() => stack.tableName('NoSuchTable')).toThrow(/NoSuchTable/);
    } finally {
      client.destroy();
      await stack.stop();
    }
  });
});
