import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbRateLimiter } from '../../src/adapters/dynamodb/dynamodb-rate-limiter';
import { DynamoDbSessionHistory } from '../../src/adapters/dynamodb/dynamodb-session-history';
import { DynamoDbSubscriptionRepository } from '../../src/adapters/dynamodb/dynamodb-subscription-repository';
import { roomChannel } from '../../src/domain/model';
import type { RouteClass } from '../../src/domain/ports/rate-limiter';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let clock: ManualClock;
let limiter: DynamoDbRateLimiter;

async function registered(connectionId: string): Promise<string> {
  await new DynamoDbConnectionRepository(embedded.table).register({
    connectionId,
    userId: 'u',
    name: 'n',
    connectedAt: clock.now().toISOString(),
    resumed: false,
  });
  return connectionId;
}

async function attempts(
  connectionId: string,
  count: number,
  routeClass: RouteClass = 'chat',
  room?: string,
): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < count; i += 1)
    if ((await limiter.tryAcquire(connectionId, routeClass, clock.now(), room)) === 'allowed') allowed += 1;
  return allowed;
}

async function partition(pk: string) {
  const { Items } = await embedded.table.client.send(
    new QueryCommand({
      TableName: embedded.table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return Items ?? [];
}

/** A registered connection in each of `rooms`, as `join` (or `$connect`, for the default room) leaves it. */
async function inRooms(connectionId: string, rooms: string[]): Promise<string> {
  await registered(connectionId);
  return joined(connectionId, rooms);
}

/** The connection joins `rooms` (it stays registered as it was). */
async function joined(connectionId: string, rooms: string[]): Promise<string> {
  const subscriptions = new DynamoDbSubscriptionRepository(embedded.table);
  const connection = { connectionId, userId: 'u', name: 'n', connectedAt: clock.now().toISOString(), resumed: false };
  for (const room of rooms) await subscriptions.subscribe(roomChannel(room), connection);
  return connectionId;
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  limiter = new DynamoDbRateLimiter(embedded.table, {
    chat: { ratePerSecond: 10, burst: 20 },
    read: { ratePerSecond: 2, burst: 3 },
    publish: { ratePerSecond: 10, burst: 5 },
    subscribe: { ratePerSecond: 10, burst: 5 },
    session: { ratePerSecond: 10, burst: 5 },
  });
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

    expect(await limiter.tryAcquire(quiet, 'chat', clock.now())).toBe('allowed');
  });

  it('keeps route classes apart, each with its own rate and burst', async () => {
    const connection = await registered('rate-classes');

    const reads = await attempts(connection, 10, 'read');
    const chats = await attempts(connection, 25, 'chat');
    clock.advance(1000);
    const readsNextSecond = await attempts(connection, 10, 'read');

    expect([reads, chats, readsNextSecond]).toEqual([3, 20, 2]);
  });

  it('measures each frame at its arrival, however long it waited: a queue neither refuses frames nor lets a flood through', async () => {
    const connection = await registered('rate-arrival');
    const strict = new DynamoDbRateLimiter(embedded.table, {
      ...{ chat: { ratePerSecond: 1, burst: 1 }, read: { ratePerSecond: 1, burst: 1 } },
      ...{
        publish: { ratePerSecond: 1, burst: 1 },
        subscribe: { ratePerSecond: 1, burst: 1 },
        session: { ratePerSecond: 1, burst: 1 },
      },
    });
    const arrived = clock.now().getTime();
    const at = (ms: number) => new Date(arrived + ms);

    // All three handled together, 5 s after they arrived (a second apart at most).
    clock.advance(5000);
    const first = await strict.tryAcquire(connection, 'session', at(0));
    const second = await strict.tryAcquire(connection, 'session', at(0));
    const third = await strict.tryAcquire(connection, 'session', at(1000));

    expect([first, second, third]).toEqual(['allowed', 'limited', 'allowed']);
  });

  it('answers unknown for a connection with no record, and writes nothing back', async () => {
    const admission = await limiter.tryAcquire('rate-never-connected', 'publish', clock.now());

    expect(admission).toBe('unknown');
    expect(await new DynamoDbConnectionRepository(embedded.table).get('rate-never-connected')).toBeUndefined();
  });

  it('never lets concurrent frames of one connection spend the same slot', async () => {
    const connection = await registered('rate-race');

    const results = await Promise.all(
      Array.from({ length: 40 }, () => limiter.tryAcquire(connection, 'chat', clock.now())),
    );

    expect(results.filter((result) => result === 'allowed').length).toBeLessThanOrEqual(20);
  });
});

describe('DynamoDbRateLimiter in rooms', () => {
  it('keeps a budget per room: a spent room leaves the others, and the connection-wide budget, untouched', async () => {
    const connection = await inRooms('rate-rooms', ['lobby', 'kitchen', 'garden']);

    const kitchen = await attempts(connection, 25, 'chat', 'kitchen');
    const garden = await attempts(connection, 25, 'chat', 'garden');
    const lobby = await attempts(connection, 5, 'chat', 'lobby');
    const connectionWide = await attempts(connection, 5, 'chat');
    const kitchenAgain = await limiter.tryAcquire(connection, 'chat', clock.now(), 'kitchen');

    expect([kitchen, garden, lobby, connectionWide, kitchenAgain]).toEqual([20, 20, 5, 5, 'limited']);
  });

  it('has no budget in a room the connection is not in: not_in_room, and nothing written', async () => {
    const connection = await inRooms('rate-outsider', ['lobby']);

    const admissions = await Promise.all(
      ['attic', 'cellar', 'roof'].map((room) => limiter.tryAcquire(connection, 'chat', clock.now(), room)),
    );

    expect(admissions).toEqual(['not_in_room', 'not_in_room', 'not_in_room']);
    expect((await partition(`CONN#${connection}`)).map((item) => item.sk).sort()).toEqual(['META', 'SUB#chat']);
  });

  it('answers unknown in a room for a connection with no record at all', async () => {
    expect(await limiter.tryAcquire('rate-room-ghost', 'read', clock.now(), 'kitchen')).toBe('unknown');
  });

  it('keeps a spent budget when the connection joins a room it is in again', async () => {
    const connection = await inRooms('rate-rejoiner', ['lobby', 'kitchen']);
    await attempts(connection, 25, 'chat', 'lobby');
    await attempts(connection, 25, 'chat', 'kitchen');

    await joined(connection, ['lobby']);
    await new DynamoDbSubscriptionRepository(embedded.table).subscribe(
      roomChannel('kitchen'),
      { connectionId: connection, userId: 'u', name: 'n', connectedAt: clock.now().toISOString(), resumed: false },
      { counter: 'rooms', limit: 10 },
    );

    expect(await limiter.tryAcquire(connection, 'chat', clock.now(), 'lobby')).toBe('limited');
    expect(await limiter.tryAcquire(connection, 'chat', clock.now(), 'kitchen')).toBe('limited');
  });

  it('refills nothing for leaving a room and joining again, nor for joining another: they start where it stood', async () => {
    const connection = await inRooms('rate-cycler', ['kitchen']);
    const subscriptions = new DynamoDbSubscriptionRepository(embedded.table);
    await attempts(connection, 25, 'chat', 'kitchen');

    await subscriptions.unsubscribe(roomChannel('kitchen'), connection);
    await joined(connection, ['kitchen', 'garden']);
    const rejoined = await limiter.tryAcquire(connection, 'chat', clock.now(), 'kitchen');
    const other = await limiter.tryAcquire(connection, 'chat', clock.now(), 'garden');
    const read = await limiter.tryAcquire(connection, 'read', clock.now(), 'garden');
    clock.advance(1000);
    const recovered = await attempts(connection, 15, 'chat', 'kitchen');

    expect([rejoined, other, read]).toEqual(['limited', 'limited', 'allowed']);
    expect(recovered).toBe(10);
  });

  it('starts a new membership full once the rooms left have recovered', async () => {
    const connection = await inRooms('rate-patient', ['kitchen']);
    await attempts(connection, 25, 'chat', 'kitchen');
    await new DynamoDbSubscriptionRepository(embedded.table).unsubscribe(roomChannel('kitchen'), connection);

    clock.advance(2000);
    await joined(connection, ['kitchen']);

    expect(await attempts(connection, 25, 'chat', 'kitchen')).toBe(20);
  });

  it('lets the concurrent first frames of a membership spend exactly its burst, no more and no less', async () => {
    const connection = await inRooms('rate-room-race', ['kitchen']);

    const results = await Promise.all(
      Array.from({ length: 30 }, () => limiter.tryAcquire(connection, 'chat', clock.now(), 'kitchen')),
    );

    // A frame that drew before the first one made the bucket, and read it after, is not taken as over budget.
    expect(results.filter((result) => result === 'allowed').length).toBe(20);
    expect(results.every((result) => result === 'allowed' || result === 'limited')).toBe(true);
  });

  it('forgets the budget with the membership: a leave removes it with the marker', async () => {
    const connection = await inRooms('rate-leaver', ['kitchen']);
    await attempts(connection, 25, 'chat', 'kitchen');

    await new DynamoDbSubscriptionRepository(embedded.table).unsubscribe(roomChannel('kitchen'), connection);

    expect(await limiter.tryAcquire(connection, 'chat', clock.now(), 'kitchen')).toBe('not_in_room');
    expect((await partition(`CONN#${connection}`)).map((item) => item.sk)).toEqual(['META']);
  });
});

describe('DynamoDbSessionHistory', () => {
  it("lists a user's closed connections newest first", async () => {
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
