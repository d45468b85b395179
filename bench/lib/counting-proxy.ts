import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a counting proxy saw since its last reset. */
export interface Counts {
  /** Requests by operation: DynamoDB's `X-Amz-Target` action, or the HTTP method of an `@connections` call. */
  requests: Record<string, number>;
  /** DynamoDB only: read and write capacity units that dynalite reported (see `ReturnConsumedCapacity` below). */
  readUnits: number;
  writeUnits: number;
  /** Responses by status class, e.g. `2xx`, `4xx`. */
  statuses: Record<string, number>;
  /** Requests that could not reach the target (socket errors). */
  errors: number;
  /** `@connections` only: when each POST arrived (`Date.now()`), the first 100,000 since the last reset. */
  postTimes: number[];
}

export type ProxyKind = 'dynamodb' | 'connections';

export interface CountingProxy {
  url: string;
  setTarget(url: string): void;
  counts(): Counts;
  reset(): void;
  /** Resolves once no request has started or finished for `quietMs` (bounded by `timeoutMs`). */
  settle(quietMs: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const CAPACITY_OPS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
]);
const READ_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

const empty = (): Counts => ({ requests: {}, readUnits: 0, writeUnits: 0, statuses: {}, errors: 0, postTimes: [] });
const MAX_POST_TIMES = 100_000;

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function capacityUnits(body: Buffer): number {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { ConsumedCapacity?: unknown };
    const list = Array.isArray(parsed.ConsumedCapacity) ? parsed.ConsumedCapacity : [parsed.ConsumedCapacity];
    return list.reduce<number>(
      (sum, entry) => sum + Number((entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
      0,
    );
  } catch {
    return 0;
  }
}

/**
 * A tiny HTTP proxy on 127.0.0.1 that counts what passes through it, so that costs are counted at the
 * endpoint rather than estimated. For DynamoDB it reads the operation from `X-Amz-Target` and adds
 * `ReturnConsumedCapacity: TOTAL` to data-plane requests (the app does not ask for it; dynalite then reports
 * the units, and the app ignores the extra response field). dynalite does not verify signatures, so the
 * rewritten body is accepted.
 */
export async function startCountingProxy(kind: ProxyKind, target?: string): Promise<CountingProxy> {
  let targetUrl = target ? new URL(target) : undefined;
  let counts = empty();
  let lastActivity = Date.now();
  let inFlight = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const bump = (map: Record<string, number>, key: string): void => {
    map[key] = (map[key] ?? 0) + 1;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (kind === 'connections' && request.method === 'POST' && counts.postTimes.length < MAX_POST_TIMES)
      counts.postTimes.push(Date.now());
    let body = await readAll(request);
    const operation =
      kind === 'dynamodb'
        ? (String(request.headers['x-amz-target'] ?? 'unknown')
            .split('.')
            .pop() ?? 'unknown')
        : `${request.method ?? 'GET'} @connections`;
    bump(counts.requests, operation);
    const headers = { ...request.headers };
    if (kind === 'dynamodb' && CAPACITY_OPS.has(operation)) {
      const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      body = Buffer.from(JSON.stringify(input));
      headers['content-length'] = String(body.length);
    }
    if (!targetUrl) throw new Error('counting proxy has no target yet');
    const upstream = httpRequest({
      host: targetUrl.hostname,
      port: targetUrl.port,
      method: request.method,
      path: request.url,
      headers,
      agent,
    });
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      upstream.once('response', resolve);
      upstream.once('error', reject);
      upstream.end(body);
    });
    const answerBody = await readAll(answer);
    bump(counts.statuses, `${String(answer.statusCode ?? 0)[0]}xx`);
    if (kind === 'dynamodb' && CAPACITY_OPS.has(operation) && answer.statusCode === 200) {
      const units = capacityUnits(answerBody);
      if (READ_OPS.has(operation)) counts.readUnits += units;
      else counts.writeUnits += units;
    }
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    response.end(answerBody);
  };

  const server: Server = createServer((request, response) => {
    inFlight += 1;
    lastActivity = Date.now();
    handle(request, response)
      .catch(() => {
        counts.errors += 1;
        if (!response.headersSent) response.writeHead(502);
        response.end();
      })
      .finally(() => {
        inFlight -= 1;
        lastActivity = Date.now();
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://localhost:${port}`,
    setTarget: (url) => {
      targetUrl = new URL(url);
    },
    counts: () => structuredClone(counts),
    reset: () => {
      counts = empty();
    },
    settle: async (quietMs, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (inFlight === 0 && Date.now() - lastActivity >= quietMs) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
