import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../../packages/local/src/dynamo-bootstrap';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import type { TableContext } from '../../src/adapters/dynamodb/table';
import type { Clock } from '../../src/domain/ports/clock';

export const PROJECT_ROOT = resolve(__dirname, '../..');
export const TEMPLATE = resolve(PROJECT_ROOT, 'template.yaml');

export interface EmbeddedTable {
  endpoint: string;
  table: TableContext;
  stop(): Promise<void>;
}

/** The embedded DynamoDB, in memory, with the tables of the real template.yaml (the real key schema). */
export async function startEmbeddedTable(clock: Clock = { now: () => new Date() }): Promise<EmbeddedTable> {
  const { model } = loadStackModel({ templatePath: TEMPLATE, projectRoot: PROJECT_ROOT });
  const dynamo = await startEmbeddedDynamo({
    port: 0,
    host: '127.0.0.1',
    dataDir: null,
    tables: model.tables,
    log: () => undefined,
  });
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint: dynamo.endpoint,
    table: { client, tableName: 'SwitchboardTable', clock },
    stop: async () => {
      raw.destroy();
      await dynamo.stop();
    },
  };
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-11-22T10:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
