import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPresenceLedger } from '../../src/adapters/dynamodb/dynamodb-presence-ledger';
import type { TableContext } from '../../src/adapters/dynamodb/table';
import { ClaimLostError } from '../../src/domain/presence/claim-lost-error';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let clock: ManualClock;
let ledger: DynamoDbPresenceLedger;
let rooms = 0;

const nextRoom = () => {
  rooms += 1;
  return `room-${rooms}`;
};

/** Claims a room for one interval from `at` and returns the claim's tick. */
async function claimed(room: string, at: number): Promise<number> {
  const claim = await ledger.claim(room, new Date(at), 1000);
  if (!claim.claimed) throw new Error(`${room} is held until ${claim.until.toISOString()}`);
  return claim.tick;
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  ledger = new DynamoDbPresenceLedger(embedded.table);
});
afterAll(() => embedded.stop());

describe('DynamoDbPresenceLedger', () => {
  it('holds a room for one interval: a second claim inside it is refused with the time it ends', async () => {
    const room = nextRoom();
    const now = clock.now();

    const first = await ledger.claim(room, now, 1000);
    const second = await ledger.claim(room, new Date(now.getTime() + 400), 1000);

    expect(first).toEqual({ claimed: true, tick: 1, count: 0, untold: false });
    expect(second).toEqual({ claimed: false, until: new Date(now.getTime() + 1000) });
  });

  it('bumps the tick with each claim once the interval is over', async () => {
    const room = nextRoom();
    const now = clock.now().getTime();

    const ticks = [];
    for (let i = 0; i < 3; i += 1) {
      const claim = await ledger.claim(room, new Date(now + i * 1000), 1000);
      ticks.push(claim.claimed ? claim.tick : -1);
    }

    expect(ticks).toEqual([1, 2, 3]);
  });

  it('releases a claim early to the end of its interval, unless the room was claimed again since', async () => {
    const room = nextRoom();
    const now = clock.now().getTime();

    const first = await ledger.claim(room, new Date(now), 35_000);
    await ledger.release(room, first.claimed ? first.tick : -1, new Date(now + 1000), true);
    const inside = await ledger.claim(room, new Date(now + 500), 35_000);
    const after = await ledger.claim(room, new Date(now + 1000), 35_000);
    // A late release of the first claim must not free the second.
    await ledger.release(room, first.claimed ? first.tick : -1, new Date(now + 1000), true);
    const stillHeld = await ledger.claim(room, new Date(now + 2000), 35_000);

    expect(inside).toEqual({ claimed: false, until: new Date(now + 1000) });
    expect(after).toMatchObject({ claimed: true, tick: 2 });
    expect(stillHeld).toEqual({ claimed: false, until: new Date(now + 1000 + 35_000) });
  });

  it('marks a room untold from a record until a claim of it is released as told', async () => {
    const room = nextRoom();
    const now = clock.now().getTime();
    const ada = { userId: 'ada', name: 'Ada' };

    // A worker records, then stops before its broadcast: it never releases its claim.
    await ledger.record(room, await claimed(room, now), { joined: [ada], renamed: [], left: [], count: 1 });
    const next = await ledger.claim(room, new Date(now + 1000), 1000);
    // That worker's broadcast fails: it releases its claim, not as told.
    await ledger.release(room, next.claimed ? next.tick : -1, new Date(now + 2000), false);
    const third = await ledger.claim(room, new Date(now + 2000), 1000);
    await ledger.release(room, third.claimed ? third.tick : -1, new Date(now + 3000), true);
    const fourth = await ledger.claim(room, new Date(now + 3000), 1000);

    expect([next, third, fourth].map((claim) => claim.claimed && claim.untold)).toEqual([true, true, false]);
  });

  it('lets exactly one of many racing workers claim a room', async () => {
    const room = nextRoom();
    const now = clock.now();

    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger.claim(room, now, 1000)));

    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  });

  it('records joins and leaves and the count, and reads back only the users asked for', async () => {
    const room = nextRoom();
    const now = clock.now().getTime();
    const first = await claimed(room, now);
    await ledger.record(room, first, {
      joined: [
        { userId: 'ada', name: 'Ada' },
        { userId: 'bob', name: 'Bob' },
        { userId: 'cy', name: 'Cy' },
      ],
      renamed: [],
      left: [],
      count: 3,
    });
    const second = await claimed(room, now + 1000);
    await ledger.record(room, second, {
      joined: [],
      renamed: [{ userId: 'ada', name: 'Ada L.' }],
      left: ['bob'],
      count: 2,
    });

    const announced = await ledger.announced(room, ['ada', 'bob', 'zed']);
    const claim = await ledger.claim(room, new Date(now + 2000), 1000);

    expect([...announced.values()]).toEqual([{ userId: 'ada', name: 'Ada L.' }]);
    expect(claim).toMatchObject({ claimed: true, count: 2 });
  });

  it('reads and writes more users than one batch request takes', async () => {
    const room = nextRoom();
    const users = Array.from({ length: 130 }, (_, i) => ({ userId: `u-${i}`, name: `U ${i}` }));

    await ledger.record(room, await claimed(room, clock.now().getTime()), {
      joined: users,
      renamed: [],
      left: [],
      count: 130,
    });
    const announced = await ledger.announced(
      room,
      users.map((user) => user.userId),
    );

    expect(announced.size).toBe(130);
    const { Count } = await embedded.table.client.send(
      new QueryCommand({
        TableName: embedded.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PRESENCE#${room}` },
        Select: 'COUNT',
      }),
    );
    expect(Count).toBe(131);
  });

  it('records a change too big for one item in parts, and leaves nothing pending', async () => {
    const room = nextRoom();
    // Ids of 900 bytes (a sort key takes 1,024): 400 of them are 360 KB, past what one pending part holds.
    const users = Array.from({ length: 400 }, (_, i) => ({
      userId: `${String(i).padStart(4, '0')}${'x'.repeat(896)}`,
      name: `U ${i}`,
    }));
    const now = clock.now().getTime();

    await ledger.record(room, await claimed(room, now), { joined: users, renamed: [], left: [], count: 400 });
    const claim = await ledger.claim(room, new Date(now + 1000), 1000);
    const announced = await ledger.announced(
      room,
      users.map((user) => user.userId),
    );
    const { Item } = await embedded.table.client.send(
      new GetCommand({ TableName: embedded.table.tableName, Key: { pk: `PRESENCE#${room}`, sk: 'ROOM' } }),
    );

    expect(announced.size).toBe(400);
    expect(claim).toMatchObject({ claimed: true, count: 400 });
    expect(Item?.pending).toBeUndefined();
  });

  it('refuses, writing nothing, the record of a claim that ran out and was taken by another worker', async () => {
    const room = nextRoom();
    const now = clock.now().getTime();
    const slow = await claimed(room, now);
    const other = await claimed(room, now + 1000);

    const late = ledger.record(room, slow, {
      joined: [{ userId: 'ada', name: 'Ada' }],
      renamed: [],
      left: [],
      count: 1,
    });

    await expect(late).rejects.toBeInstanceOf(ClaimLostError);
    await ledger.record(room, other, { joined: [{ userId: 'bob', name: 'Bob' }], renamed: [], left: [], count: 1 });
    const announced = await ledger.announced(room, ['ada', 'bob']);
    expect([...announced.keys()]).toEqual(['bob']);
    expect(await ledger.claim(room, new Date(now + 2000), 1000)).toMatchObject({ count: 1 });
  });
});

/** Which of a ledger's requests write (the ones a worker can stop between). */
const WRITES = new Set(['BatchWriteCommand', 'UpdateCommand', 'PutCommand', 'DeleteCommand']);

/**
 * The real table behind a client that stops after `writes` writes, as a worker stops when its invocation
 * times out, crashes, or a write throws after its retries: every request past that point fails.
 */
function stoppingAfter(writes: number): { table: TableContext; stopped: () => boolean } {
  let left = writes;
  const send = (command: { constructor: { name: string } }) => {
    if (WRITES.has(command.constructor.name) && left-- <= 0) {
      return Promise.reject(new Error('the worker stopped here'));
    }
    return embedded.table.client.send(command as never);
  };
  const client = { send } as unknown as TableContext['client'];
  return { table: { ...embedded.table, client }, stopped: () => left < 0 };
}

describe('a record that stops part way', () => {
  const users = Array.from({ length: 60 }, (_, i) => ({ userId: `u-${i}`, name: `U ${i}` }));
  const everyone = users.map((user) => user.userId);

  it('leaves a count that agrees with the users announced, whatever write it stops after', async () => {
    const stops: Array<{ writes: number; count: number; announced: number }> = [];
    for (let writes = 0; ; writes += 1) {
      const room = nextRoom();
      const now = clock.now().getTime();
      // 10 users the room was told of already, 5 of whom leave in the same change as 50 arrive.
      await ledger.record(room, await claimed(room, now), {
        joined: users.slice(0, 10),
        renamed: [],
        left: [],
        count: 10,
      });
      const tick = await claimed(room, now + 1000);
      const stopping = stoppingAfter(writes);

      await new DynamoDbPresenceLedger(stopping.table)
        .record(room, tick, { joined: users.slice(10), renamed: [], left: everyone.slice(0, 5), count: 55 })
        .catch(() => undefined);
      if (!stopping.stopped()) break;
      const next = await ledger.claim(room, new Date(now + 2000), 1000);
      const announced = await ledger.announced(room, everyone);
      stops.push({ writes, count: next.claimed ? next.count : -1, announced: announced.size });
    }

    expect(stops.length).toBeGreaterThanOrEqual(3);
    expect(stops.filter((stop) => stop.count !== stop.announced)).toEqual([]);
  });
});
