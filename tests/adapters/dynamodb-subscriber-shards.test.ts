import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbSubscriptionRepository } from '../../src/adapters/dynamodb/dynamodb-subscription-repository';
import { MAX_SHARDS, subscriberRange } from '../../src/adapters/dynamodb/subscriber-ranges';
import type { Connection } from '../../src/domain/model';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let subscriptions: DynamoDbSubscriptionRepository;
let connections: DynamoDbConnectionRepository;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Ids shaped like API Gateway's (15 base64 characters and `=`), spread over every first character. */
function connectionIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    let id = BASE64[i % 64] as string;
    for (let k = 1, n = i * 7919 + 13; k < 15; k += 1, n = Math.floor(n / 3) + k * 31) id += BASE64[n % 64];
    return `${id}=`;
  });
}

function aConnection(connectionId: string): Connection {
  return {
    connectionId,
    userId: `u-${connectionId}`,
    name: 'n',
    connectedAt: new Date().toISOString(),
    resumed: false,
  };
}

async function readShard(
  channel: string,
  index: number,
  of: number,
  limit: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await subscriptions.shardPage(channel, { index, of }, cursor, limit);
    pages += 1;
    expect(page.subscribers.length).toBeLessThanOrEqual(limit);
    ids.push(...page.subscribers.map((s) => s.connectionId));
    cursor = page.next;
  } while (cursor !== null);
  return { ids, pages };
}

beforeAll(async () => {
  embedded = await startEmbeddedTable(new ManualClock());
  subscriptions = new DynamoDbSubscriptionRepository(embedded.table);
  connections = new DynamoDbConnectionRepository(embedded.table);
});
afterAll(() => embedded.stop());

describe('DynamoDbSubscriptionRepository as SubscriberShards', () => {
  it('splits a channel into disjoint shards that hold every subscriber once, read page by page', async () => {
    const ids = connectionIds(300);
    for (const id of ids) await subscriptions.subscribe('topic:big', aConnection(id));

    for (const shardCount of [1, 3, 16, MAX_SHARDS]) {
      const shards = [];
      for (let index = 0; index < shardCount; index += 1)
        shards.push(await readShard('topic:big', index, shardCount, 25));
      const all = shards.flatMap((s) => s.ids);
      expect(all.sort()).toEqual([...ids].sort());
      expect(new Set(all).size).toBe(ids.length);
    }
  });

  it('spreads API Gateway-like ids over the shards', async () => {
    const sizes = [];
    for (let index = 0; index < 4; index += 1) sizes.push((await readShard('topic:big', index, 4, 100)).ids.length);

    expect(Math.min(...sizes)).toBeGreaterThan(300 / 4 / 2);
  });

  it('covers ids of any first character, even outside the base64 alphabet', async () => {
    const odd = ['!bang', '.dot', '~tilde', 'zzz', '+plus'];
    for (const id of odd) await subscriptions.subscribe('topic:odd', aConnection(id));

    const all = [];
    for (let index = 0; index < 7; index += 1) all.push(...(await readShard('topic:odd', index, 7, 2)).ids);

    expect(all.sort()).toEqual([...odd].sort());
  });

  it('counts subscribers with a counter: once per subscription, down on unsubscribe and on disconnect', async () => {
    const [a, b, c] = ['cntA=', 'cntB=', 'cntC='];
    for (const id of [a, b, c] as string[]) {
      await connections.register(aConnection(id));
      await subscriptions.subscribe('topic:count', aConnection(id));
    }
    await subscriptions.subscribe('topic:count', aConnection(a as string));
    expect(await subscriptions.countSubscribers('topic:count')).toBe(3);

    await subscriptions.unsubscribe('topic:count', b as string);
    await subscriptions.unsubscribe('topic:count', b as string);
    await connections.remove(c as string);
    await connections.remove(c as string);

    expect(await subscriptions.countSubscribers('topic:count')).toBe(1);
    expect(await subscriptions.countSubscribers('topic:never')).toBe(0);
  });

  it('gives each shard a sort key range that ends below where the next begins', () => {
    for (const shardCount of [2, 5, 16, MAX_SHARDS]) {
      for (let index = 0; index + 1 < shardCount; index += 1) {
        const next = { index: index + 1, of: shardCount };
        expect(subscriberRange({ index, of: shardCount }).to < subscriberRange(next).from).toBe(true);
      }
    }
    expect(() => subscriberRange({ index: 4, of: 4 })).toThrow(RangeError);
  });
});
