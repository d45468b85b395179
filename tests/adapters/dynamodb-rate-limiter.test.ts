import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbRateLimiter } from '../../src/adapters/dynamodb/dynamodb-rate-limiter';
import { DynamoDbSessionHistory } from '../../src/adapters/dynamodb/dynamodb-session-history';
import { ManualClock, startEmbeddedTable, type EmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let clock: ManualClock;
let limiter: DynamoDbRateLimiter;

async function registered(connectionId: string): Promise<string> {
  await new DynamoDbConnectionRepository(embedded.table).register({
    connectionId, userId: 'u', name: 'n', connectedAt: clock.now().toISOString(), resumed: false,
  });
  return connectionId;
}

async function attempts(connectionId: string, count: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < count; i += 1) if (await limiter.tryAcquire(connectionId)) allowed += 1;
  return allowed;
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  limiter = new DynamoDbRateLimiter(embedded.table, { ratePerSecond: 10, burst: 20 });
});
afterAll(() => embedded.stop());

describe('DynamoDbRateLimiter', () => {
  it('allows a burst of 20, then refuses until time has passed, then 10 per second', async () => {
    const connection = await registered('rate-1');

    const burst = await attempts(connection, 25);
    clock.advance(1000);
    const nextSecond = await attempts(connection, 15);

    expect(burst).toBe(20);
    expect(nextSecond).toBe(10);
  });

  it('keeps connections apart', async () => {
    const noisy = await registered('rate-noisy');
    const quiet = await registered('rate-quiet');

    await attempts(noisy, 30);

    expect(await limiter.tryAcquire(quiet)).toBe(true);
  });

  it('never lets concurrent frames of one connection spend the same slot', async () => {
    const connection = await registered('rate-race');

    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.tryAcquire(connection)));

    expect(results.filter(Boolean).length).toBeLessThanOrEqual(20);
  });
});

describe('DynamoDbSessionHistory', () => {
  it('lists a user\'s closed connections newest first', async () => {
    const history = new DynamoDbSessionHistory(embedded.table, { retentionSeconds: 3600 });
    const session = (n: number) => ({
      connectionId: `c${n}`,
      connectedAt: `2026-11-22T10:0${n}:00.000Z`,
      disconnectedAt: `2026-11-22T10:0${n}:30.000Z`,
      durationMs: 30_000,
      sourceIp: '198.51.100.1',
      userAgent: 'test',
    });
    for (const n of [1, 2, 3]) await history.record('history-user', session(n));

    expect(await history.list('history-user', 2)).toEqual([session(3), session(2)]);
    expect(await history.list('history-user', 5, session(3))).toEqual([session(2), session(1)]);
    expect(await history.list('history-user', 1, session(2))).toEqual([session(1)]);
    expect(await history.list('history-user', 5, session(1))).toEqual([]);
    expect(await history.list('someone-else', 10)).toEqual([]);
  });
});
