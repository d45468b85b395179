import { PRESENCE_DEFAULTS } from '../../src/domain/dependencies';
import { type StackCounts, startChildStack } from '../lib/child-stack';
import { ClientPool, type Frame, sessionToken } from '../lib/client-pool';
import { sleep, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';
import { UNLIMITED_RATES } from '../lib/unlimited-rates';

export interface CostSettings {
  /** Subscriber counts for "publish to N". */
  publishSizes: number[];
  /** Connections in the chat room (one user) while room-wide operations are counted. */
  roomSize: number;
  /** Topics the disconnecting connection holds. */
  disconnectTopics: number[];
  feedCharacters: number;
}

interface Measured {
  operation: string;
  counts: StackCounts;
  /** Divide the counts by this (tele-read: per 1,000 characters). */
  scale?: number;
}

export interface CostSummary {
  table: Table;
  scans: number;
  /** Query requests per publish, by N. */
  publishQueries: Array<{ n: number; queries: number }>;
  pageSize: number;
}

const PAGE_SIZE = 100;
/**
 * An operation is counted until the endpoints have been quiet this long: past the presence queue's batching
 * window (one presence interval), so that what the presence worker does for a connect or a disconnect is
 * counted with it, not with the next operation.
 */
const QUIET_MS = PRESENCE_DEFAULTS.intervalMs + 500;

/**
 * Section 2: DynamoDB requests (by operation, with the capacity units dynalite reports) and `@connections`
 * calls of each operation, counted by proxies in front of dynalite and of `@connections`.
 */
export async function runCost(settings: CostSettings): Promise<CostSummary> {
  const stack = await startChildStack({
    countDynamo: true,
    countConnections: true,
    env: { FEED_INTERVAL_MS: '0', ...UNLIMITED_RATES, SUBSCRIBER_PAGE_SIZE: String(PAGE_SIZE) },
  });
  const pools: ClientPool[] = [];
  const pool = (): ClientPool => {
    const p = new ClientPool();
    pools.push(p);
    return p;
  };
  const results: Measured[] = [];
  const measure = async (operation: string, act: () => Promise<unknown>, scale?: number): Promise<void> => {
    await stack.settle(QUIET_MS);
    await stack.reset();
    await act();
    await stack.settle(QUIET_MS);
    results.push({ operation, counts: await stack.counts(), ...(scale ? { scale } : {}) });
  };
  try {
    const token = await sessionToken(stack.wsUrl);
    const room = pool();
    await room.open(stack.wsUrl, settings.roomSize, { token });
    const r = settings.roomSize;

    const fresh = pool();
    await measure(`connect, new user (room of ${r} connections)`, () => fresh.open(stack.wsUrl, 1));
    await measure('connect, resumed token (user already online)', () => fresh.open(stack.wsUrl, 1, { token }));
    await measure('connect, resumed token + ?topicName=', () =>
      fresh.open(stack.wsUrl, 1, { token, topicName: 'cost-connect' }),
    );
    await measure('hello', () => fresh.request(1, { action: 'hello' }, isType('session')));
    await measure('subscribe', () =>
      fresh.request(1, { action: 'subscribe', topic: 'cost-sub' }, isType('subscribed')),
    );
    await measure(`chat sendmessage (room of ${r + 3} connections)`, () =>
      fresh.request(1, { action: 'sendmessage', message: 'hello room' }, isType('chat')),
    );
    await measure('history (default limit 50)', () => fresh.request(1, { action: 'history' }, isType('history')));
    await measure(`who (room of ${r + 3} connections)`, () => fresh.request(1, { action: 'who' }, isType('who')));

    for (const k of settings.disconnectTopics) {
      const leaving = pool();
      await leaving.open(stack.wsUrl, 1);
      for (let t = 0; t < k; t += 1)
        await leaving.request(0, { action: 'subscribe', topic: `leave-${t}` }, isType('subscribed'));
      await measure(`disconnect, ${k} topic(s), user's last connection (${r + 3} others in the room)`, () =>
        leaving.closeAll(),
      );
    }

    const reader = pool();
    await reader.open(stack.wsUrl, 1);
    let delivered = 0;
    await measure(
      `tele-read, per 1,000 characters (chunk 1, counted over ${settings.feedCharacters})`,
      async () => {
        await reader.request(0, { action: 'hello' }, isType('session'));
        const reached = new Promise<void>((resolve) => {
          reader.onFrame = (_i, frame) => {
            if (frame.type === 'feed') delivered = Number(frame.cursor);
            if (delivered >= settings.feedCharacters || frame.type === 'feed-end') resolve();
          };
        });
        reader.send(0, { action: 'teleread' });
        await withTimeout(reached, 60_000, 'tele-read');
        await reader.request(0, { action: 'stop' }, isType('feed-stopped'));
      },
      1,
    );
    const last = results[results.length - 1];
    if (last) last.scale = Math.max(1, delivered) / 1000;

    const publisher = pool();
    await publisher.open(stack.wsUrl, 1, { token });
    const publishQueries: Array<{ n: number; queries: number }> = [];
    for (const n of settings.publishSizes) {
      const topic = `cost-publish-${n}`;
      if (n > 0) {
        const subs = pool();
        const opened = await subs.open(stack.wsUrl, n, { token, topicName: topic });
        if (opened.failed) throw new Error(`subscribers failed: ${opened.reasons.join(', ')}`);
      }
      await measure(`publish to ${n} subscriber(s)`, () =>
        publisher.request(0, { action: 'publish', topic, message: 'x' }, isType('ack'), 60_000),
      );
      publishQueries.push({ n, queries: results[results.length - 1]?.counts.dynamodb?.requests.Query ?? 0 });
    }
    const scans = results.reduce((sum, m) => sum + (m.counts.dynamodb?.requests.Scan ?? 0), 0);
    return { table: toTable(results), scans, publishQueries, pageSize: PAGE_SIZE };
  } finally {
    for (const p of pools) await p.closeAll();
    await stack.stop();
  }
}

const isType =
  (type: string) =>
  (frame: Frame): boolean =>
    frame.type === type || frame.type === 'error';

const SHORT: Record<string, string> = {
  GetItem: 'Get',
  PutItem: 'Put',
  UpdateItem: 'Update',
  DeleteItem: 'Delete',
  Query: 'Query',
  Scan: 'Scan',
  BatchWriteItem: 'BatchWrite',
  BatchGetItem: 'BatchGet',
};

function toTable(results: Measured[]): Table {
  const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return {
    title: '2. Cost per operation (counted at the local endpoints)',
    headers: ['operation', 'DynamoDB requests by type', 'total', 'RCU', 'WCU', '@connections calls', 'Scans'],
    rows: results.map(({ operation, counts, scale = 1 }) => {
      const requests = counts.dynamodb?.requests ?? {};
      const total = Object.values(requests).reduce((a, b) => a + b, 0);
      const byType = Object.entries(requests)
        .sort((a, b) => b[1] - a[1])
        .map(([op, count]) => `${SHORT[op] ?? op} ${fmt(count / scale)}`)
        .join(', ');
      const posts = Object.values(counts.connections?.requests ?? {}).reduce((a, b) => a + b, 0);
      return [
        operation,
        byType || '-',
        fmt(total / scale),
        fmt((counts.dynamodb?.readUnits ?? 0) / scale),
        fmt((counts.dynamodb?.writeUnits ?? 0) / scale),
        fmt(posts / scale),
        String(requests.Scan ?? 0),
      ];
    }),
    notes: [
      'DynamoDB: a proxy in front of dynalite counts `X-Amz-Target` and adds `ReturnConsumedCapacity: TOTAL` to each request (the app does not set it), so RCU/WCU are what dynalite computes for the item sizes (strongly consistent reads: 1 RCU per 4 KB; writes 1 WCU per 1 KB; a conditional write that fails is charged in AWS but reports nothing here).',
      '`@connections`: a proxy in front of the gateway counts every call (POST, GET, DELETE).',
      `Each operation is counted until the endpoints have been quiet for ${QUIET_MS / 1000} s, so the rows include the asynchronous work it causes: the presence worker's (which runs once per presence interval) and fan-out jobs'. SQS requests are not counted: a connect or disconnect that changes presence sends one message.`,
      `Every connection joins the default room, so a new user's connect and last disconnect make the presence worker tell each other connection in the room (one presence frame each, none inside the handshake); a resumed connection of a user already online announces nothing (the worker still claims the room and reads what it was told).`,
      `Publish reads subscribers with Query pages of ${PAGE_SIZE} (SUBSCRIBER_PAGE_SIZE); DynamoDB answers one more, empty page when the last page is exactly full.`,
    ],
  };
}

export { sleep };
