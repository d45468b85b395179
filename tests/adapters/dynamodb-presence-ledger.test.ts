import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPresenceLedger } from '../../src/adapters/dynamodb/dynamodb-presence-ledger';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let clock: ManualClock;
let ledger: DynamoDbPresenceLedger;
let rooms = 0;

const nextRoom = () => {
  rooms += 1;
  return `room-${rooms}`;
};

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

    expect(first).toEqual({ claimed: true, tick: 1, count: 0 });
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
    await ledger.release(room, first.claimed ? first.tick : -1, new Date(now + 1000));
    const inside = await ledger.claim(room, new Date(now + 500), 35_000);
    const after = await ledger.claim(room, new Date(now + 1000), 35_000);
    // A late release of the first claim must not free the second.
    await ledger.release(room, first.claimed ? first.tick : -1, new Date(now + 1000));
    const stillHeld = await ledger.claim(room, new Date(now + 2000), 35_000);

    expect(inside).toEqual({ claimed: false, until: new Date(now + 1000) });
    expect(after).toMatchObject({ claimed: true, tick: 2 });
    expect(stillHeld).toEqual({ claimed: false, until: new Date(now + 1000 + 35_000) });
  });

  it('lets exactly one of many racing workers claim a room', async () => {
    const room = nextRoom();
    const now = clock.now();

    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger.claim(room, now, 1000)));

    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  });

  it('records joins and leaves and the count, and reads back only the users asked for', async () => {
    const room = nextRoom();
    await ledger.record(room, {
      joined: [
        { userId: 'ada', name: 'Ada' },
        { userId: 'bob', name: 'Bob' },
        { userId: 'cy', name: 'Cy' },
      ],
      left: [],
      count: 3,
    });
    await ledger.record(room, { joined: [], left: ['bob'], count: 2 });

    const announced = await ledger.announced(room, ['ada', 'bob', 'zed']);
    const claim = await ledger.claim(room, clock.now(), 1000);

    expect([...announced.values()]).toEqual([{ userId: 'ada', name: 'Ada' }]);
    expect(claim).toMatchObject({ claimed: true, count: 2 });
  });

  it('reads and writes more users than one batch request takes', async () => {
    const room = nextRoom();
    const users = Array.from({ length: 130 }, (_, i) => ({ userId: `u-${i}`, name: `U ${i}` }));

    await ledger.record(room, { joined: users, left: [], count: 130 });
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
});
