import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type dynalite from 'dynalite';
import { callDynamo } from './dynamo-json-api';
import { closeServer, listen } from './listen';
import type { IndexModel, TableModel } from './stack-model';

export interface EmbeddedDynamoOptions {
  port: number;
  host: string;
  /** LevelDB folder that keeps the data across restarts; null keeps it in memory. */
  dataDir: string | null;
  /** Created under their `tableName` unless a table of that name exists. */
  tables: TableModel[];
  log: (line: string) => void;
}

export interface EmbeddedDynamo {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Local credentials: dynalite checks that they are present, not what they are. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

type KeyList = TableModel['keySchema'];

const keySchema = (keys: KeyList) => keys.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType }));

const index = (i: IndexModel) => ({
  IndexName: i.IndexName,
  KeySchema: keySchema(i.KeySchema),
  Projection: {
    ProjectionType: i.Projection.ProjectionType ?? 'ALL',
    ...(i.Projection.NonKeyAttributes ? { NonKeyAttributes: i.Projection.NonKeyAttributes } : {}),
  },
});

function createTableInput(table: TableModel) {
  const gsis = table.globalSecondaryIndexes ?? [];
  const lsis = table.localSecondaryIndexes ?? [];
  return {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: table.attributeDefinitions.map((d) => ({
      AttributeName: d.AttributeName,
      AttributeType: d.AttributeType,
    })),
    KeySchema: keySchema(table.keySchema),
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis.map(index) } : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis.map(index) } : {}),
  };
}

/** dynalite makes a table ACTIVE a tick after CreateTable answers (and on restart it may be mid-way). */
async function tableNames(endpoint: string): Promise<Set<string>> {
  const names = new Set<string>();
  let after: string | undefined;
  do {
    const page = await callDynamo<{ TableNames?: string[]; LastEvaluatedTableName?: string }>(endpoint, 'ListTables', {
      ...(after ? { ExclusiveStartTableName: after } : {}),
    });
    for (const name of page.TableNames ?? []) names.add(name);
    after = page.LastEvaluatedTableName;
  } while (after);
  return names;
}

interface TableDescription {
  Table?: { TableStatus?: string; GlobalSecondaryIndexes?: { IndexStatus?: string }[] };
}

async function waitUntilActive(endpoint: string, name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await callDynamo<TableDescription>(endpoint, 'DescribeTable', { TableName: name });
    if (
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')
    )
      return;
    if (Date.now() > deadline) throw new Error(`table ${name} is still ${Table?.TableStatus ?? 'missing'}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type DynaliteOptions = Parameters<typeof dynalite>[0];

// Loaded when first needed (`require`, not `import()`, so that the CommonJS build of the package resolves it too).
const loadDynalite = (): typeof dynalite => require('dynalite') as typeof dynalite;

/**
 * A template without tables still gets a DynamoDB endpoint (a function may create tables of its own), but
 * dynalite, about 14 MB of the stack's memory, loads only when the endpoint is first called. The engine then
 * listens on a loopback port of its own, unused, because dynalite closes its store only with its server.
 */
function lazyDynalite(options: DynaliteOptions): { server: Server; stop: () => Promise<void> } {
  let engine: Promise<Server> | null = null;
  const start = (): Promise<Server> => {
    engine ??= (async () => {
      const server = loadDynalite()(options);
      await listen(server, 0, '127.0.0.1');
      return server;
    })();
    return engine;
  };
  const server = createServer((request, response) => {
    // The body waits in the request's buffer (nothing reads it) until the engine takes the request.
    start().then(
      (ready) => ready.emit('request', request, response),
      () => {
        response.statusCode = 500;
        response.end();
      },
    );
  });
  return {
    server,
    stop: async () => {
      await closeServer(server);
      const started = engine;
      if (started !== null) await closeServer(await started);
    },
  };
}

/**
 * Starts dynalite and creates the template's tables that do not exist yet. TTL is not set: dynalite lacks
 * UpdateTimeToLive, and the app ignores expired items on read.
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions): Promise<EmbeddedDynamo> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const engineOptions: DynaliteOptions = {
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  const { server, stop } =
    options.tables.length > 0
      ? (() => {
          const eager = loadDynalite()(engineOptions);
          return { server: eager, stop: () => closeServer(eager) };
        })()
      : lazyDynalite(engineOptions);
  const port = await listen(server, options.port, options.host);
  const endpoint = `http://localhost:${port}`;
  try {
    const existing = options.tables.length > 0 ? await tableNames(endpoint) : new Set<string>();
    for (const table of options.tables) {
      if (existing.has(table.tableName)) continue;
      await callDynamo(endpoint, 'CreateTable', createTableInput(table));
      options.log(`created table ${table.tableName}`);
    }
    for (const table of options.tables) await waitUntilActive(endpoint, table.tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}
