import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbSubscriptionRepository } from '../../src/adapters/dynamodb/dynamodb-subscription-repository';
import { DynamoDbUserRepository } from '../../src/adapters/dynamodb/dynamodb-user-repository';
import type { Connection } from '../../src/domain/model';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

const HOUR = 3600 * 1000;
let embedded: EmbeddedTable;
let clock: ManualClock;
let connections: DynamoDbConnectionRepository;
let subscriptions: DynamoDbSubscriptionRepository;
let users: DynamoDbUserRepository;
let counter = 0;

function aConnection(overrides: Partial<Connection> = {}): Connection {
  counter += 1;
  return {
    connectionId: `conn-${counter}=`,
    userId: `user-${counter}`,
    name: `Name ${counter}`,
    connectedAt: clock.now().toISOString(),
    resumed: false,
    sourceIp: '203.0.113.7',
    userAgent: 'jest',
    ...overrides,
  };
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

async function collect(channel: string) {
  const all = [];
  const pages = [];
  for await (const page of subscriptions.subscribers(channel)) {
    pages.push(page.length);
    all.push(...page);
  }
  return { all, pages };
}

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  connections = new DynamoDbConnectionRepository(embedded.table);
  subscriptions = new DynamoDbSubscriptionRepository(embedded.table, { pageSize: 3 });
  users = new DynamoDbUserRepository(embedded.table, { sessionTtlSeconds: 7 * 24 * 3600 });
});
afterAll(() => embedded.stop());

describe('DynamoDbConnectionRepository and DynamoDbSubscriptionRepository', () => {
  it('finds a connection by id and by user', async () => {
    const first = aConnection();
    const second = aConnection({ userId: first.userId });
    await connections.register(first);
    await connections.register(second);

    expect(await connections.get(first.connectionId)).toEqual(first);
    expect((await connections.listByUser(first.userId)).map((c) => c.connectionId).sort()).toEqual(
      [first.connectionId, second.connectionId].sort(),
    );
  });

  it('moves a connection to another user in place, keeping its rate-limit state', async () => {
    const before = aConnection();
    await connections.register(before);
    await embedded.table.client.send(
      new UpdateCommand({
        TableName: embedded.table.tableName,
        Key: { pk: `CONN#${before.connectionId}`, sk: 'META' },
        UpdateExpression: 'SET rateTat = :t',
        ExpressionAttributeValues: { ':t': 12345 },
      }),
    );
    await subscriptions.subscribe('chat', before);
    await subscriptions.subscribe('room:kitchen', before, { counter: 'rooms', limit: 10 });
    const moved = { ...before, userId: 'someone-new', name: 'New Name' };

    expect((await connections.reassign(moved, before.userId))?.sort()).toEqual(['chat', 'room:kitchen']);

    expect(await connections.get(before.connectionId)).toEqual(moved);
    expect((await partition(`CONN#${before.connectionId}`))[0]).toMatchObject({
      rateTat: 12345,
      userId: 'someone-new',
    });
    expect(await connections.listByUser(before.userId)).toEqual([]);
    expect(await connections.listByUser('someone-new')).toEqual([moved]);
    // Its subscriptions follow it: fan-out and `who` see the new user.
    expect(await subscriptions.member('room:kitchen', before.connectionId)).toMatchObject({
      userId: 'someone-new',
      name: 'New Name',
    });
  });

  it('does not resurrect a connection removed before it could be moved', async () => {
    const gone = aConnection();
    await connections.register(gone);
    await connections.remove(gone.connectionId);

    expect(await connections.reassign({ ...gone, userId: 'late-user' }, gone.userId)).toBeUndefined();

    expect(await partition(`CONN#${gone.connectionId}`)).toEqual([]);
    expect(await connections.listByUser('late-user')).toEqual([]);
  });

  it('reads subscribers page by page', async () => {
    const channel = 'topic:paged';
    const members = Array.from({ length: 7 }, () => aConnection());
    for (const member of members) await subscriptions.subscribe(channel, member);

    const { all, pages } = await collect(channel);

    expect(pages).toEqual([3, 3, 1]);
    expect(all.map((s) => s.connectionId).sort()).toEqual(members.map((m) => m.connectionId).sort());
  });

  it('reads one page at a time after a given connection, within the channel only', async () => {
    const channel = 'topic:who-paged';
    const members = Array.from({ length: 5 }, () => aConnection());
    for (const member of members) await subscriptions.subscribe(channel, member);
    await subscriptions.subscribe('topic:elsewhere', aConnection());

    const first = await subscriptions.page(channel, 2);
    const second = await subscriptions.page(channel, 2, first.subscribers.at(-1)?.connectionId);
    await subscriptions.unsubscribe(channel, String(second.subscribers.at(-1)?.connectionId));
    const third = await subscriptions.page(channel, 2, second.subscribers.at(-1)?.connectionId);
    const ids = [first, second, third].flatMap((page) => page.subscribers.map((subscriber) => subscriber.connectionId));

    expect([first.subscribers.length, second.subscribers.length, third.subscribers.length]).toEqual([2, 2, 1]);
    expect([first.more, second.more, third.more]).toEqual([true, true, false]);
    expect(ids.sort()).toEqual(members.map((member) => member.connectionId).sort());
  });

  it('removes every record of a connection, once', async () => {
    const connection = aConnection();
    await connections.register(connection);
    await subscriptions.subscribe('chat', connection);
    await subscriptions.subscribe('topic:news', connection);

    const [first, second] = await Promise.all([
      connections.remove(connection.connectionId),
      connections.remove(connection.connectionId),
    ]);

    const removed = first ?? second;
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(removed?.connection).toEqual(connection);
    expect(removed?.channels.sort()).toEqual(['chat', 'topic:news']);
    expect(await partition(`CONN#${connection.connectionId}`)).toEqual([]);
    expect(await connections.listByUser(connection.userId)).toEqual([]);
    expect(await subscriptions.isSubscribed('topic:news', connection.connectionId)).toBe(false);
    expect((await collect('topic:news')).all.map((s) => s.connectionId)).not.toContain(connection.connectionId);
  });

  it('registers a connection with its uncapped memberships as a subscription would make them, and removes them all', async () => {
    const connection = aConnection();
    const twin = aConnection();
    await connections.register(connection, ['room:crowd']);
    await connections.register(twin);
    await subscriptions.subscribe('room:crowd', twin);

    const member = await subscriptions.member('room:crowd', connection.connectionId);
    const { all } = await collect('room:crowd');
    const count = await subscriptions.countSubscribers('room:crowd');
    const markers = await Promise.all(
      [connection, twin].map(async ({ connectionId }) =>
        (await partition(`CONN#${connectionId}`))
          .filter((item) => String(item.sk).startsWith('SUB#'))
          .map(({ pk: _pk, ...rest }) => rest),
      ),
    );
    const removed = await connections.remove(connection.connectionId);

    const { connectionId, userId, name, connectedAt } = connection;
    expect(member).toEqual({ connectionId, userId, name, connectedAt });
    expect(all.map((s) => s.connectionId).sort()).toEqual([connection.connectionId, twin.connectionId].sort());
    expect(count).toBe(2);
    // The connection's marker is the one an uncapped subscribe writes: nothing counted against a cap.
    expect(markers[0]).toEqual(markers[1]);
    expect(markers[0]).toHaveLength(1);
    expect(removed?.channels).toEqual(['room:crowd']);
    expect(await connections.listByUser(connection.userId)).toEqual([]);
    expect(await subscriptions.countSubscribers('room:crowd')).toBe(1);
    expect(await partition(`CONN#${connection.connectionId}`)).toEqual([]);
  });

  it('reads the members among many connections by key, past one batch of 100, and only those', async () => {
    const joined = Array.from({ length: 130 }, () => aConnection());
    const outside = aConnection();
    for (const connection of joined) await connections.register(connection, ['room:batch']);
    await connections.register(outside);

    const ids = [...joined.map((c) => c.connectionId), outside.connectionId, joined[0]!.connectionId];
    const members = await subscriptions.members('room:batch', ids);

    expect([...members.keys()].sort()).toEqual(joined.map((c) => c.connectionId).sort());
    const { connectionId, userId, name, connectedAt } = joined[129]!;
    expect(members.get(connectionId)).toEqual({ connectionId, userId, name, connectedAt });
  });

  it('ignores connections and subscriptions past their lifetime', async () => {
    const connection = aConnection();
    await connections.register(connection);
    await subscriptions.subscribe('topic:stale', connection);

    clock.advance(3 * HOUR);

    expect(await connections.get(connection.connectionId)).toBeUndefined();
    expect((await collect('topic:stale')).all).toEqual([]);
    clock.advance(-3 * HOUR);
  });

  it('caps counted subscriptions: refuses one over the limit, counts a repeat once, frees a place on unsubscribe', async () => {
    const connection = aConnection();
    await connections.register(connection);

    const taken = [
      await subscriptions.subscribe('topic:cap-a', connection, { counter: 'topics', limit: 2 }),
      await subscriptions.subscribe('topic:cap-a', connection, { counter: 'topics', limit: 2 }),
      await subscriptions.subscribe('topic:cap-b', connection, { counter: 'topics', limit: 2 }),
      await subscriptions.subscribe('chat', connection),
    ];
    const over = await subscriptions.subscribe('topic:cap-c', connection, { counter: 'topics', limit: 2 });
    await subscriptions.unsubscribe('topic:cap-a', connection.connectionId);
    const afterUnsubscribe = await subscriptions.subscribe('topic:cap-c', connection, { counter: 'topics', limit: 2 });

    expect(taken).toEqual([true, true, true, true]);
    expect(over).toBe(false);
    expect(afterUnsubscribe).toBe(true);
    const items = await partition(`CONN#${connection.connectionId}`);
    expect(items.map((item) => item.sk).sort()).toEqual(['META', 'SUB#chat', 'SUB#topic:cap-b', 'SUB#topic:cap-c']);
    expect(items.find((item) => item.sk === 'META')?.subscriptions).toBe(2);
  });

  it('never lets concurrent subscribes of one connection pass its cap', async () => {
    const connection = aConnection();
    await connections.register(connection);

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        subscriptions.subscribe(`topic:race-${i}`, connection, { counter: 'topics', limit: 5 }),
      ),
    );

    expect(results.filter(Boolean)).toHaveLength(5);
    expect(
      (await partition(`CONN#${connection.connectionId}`)).filter((item) => String(item.sk).startsWith('SUB#')),
    ).toHaveLength(5);
  });

  it('caps rooms and topics with separate counters: a repeat is not counted, a leave frees a place', async () => {
    const connection = aConnection();
    await connections.register(connection);
    const rooms = { counter: 'rooms', limit: 2 } as const;
    const topics = { counter: 'topics', limit: 1 } as const;

    const taken = [
      await subscriptions.subscribe('room:kitchen', connection, rooms),
      await subscriptions.subscribe('room:kitchen', { ...connection, name: 'Chef' }, rooms),
      await subscriptions.subscribe('topic:news', connection, topics),
      await subscriptions.subscribe('room:garden', connection, rooms),
      await subscriptions.subscribe('chat', connection),
    ];
    const overRooms = await subscriptions.subscribe('room:attic', connection, rooms);
    const overTopics = await subscriptions.subscribe('topic:sport', connection, topics);
    await subscriptions.unsubscribe('room:kitchen', connection.connectionId);
    const afterLeave = await subscriptions.subscribe('room:attic', connection, rooms);

    expect(taken).toEqual([true, true, true, true, true]);
    expect([overRooms, overTopics, afterLeave]).toEqual([false, false, true]);
    const meta = (await partition(`CONN#${connection.connectionId}`)).find((item) => item.sk === 'META');
    expect(meta).toMatchObject({ rooms: 2, subscriptions: 1 });
    expect(await subscriptions.isSubscribed('room:attic', connection.connectionId)).toBe(true);
    expect(await subscriptions.isSubscribed('room:kitchen', connection.connectionId)).toBe(false);
  });

  it('renames a connection in a room it joins again, without counting it again', async () => {
    const connection = aConnection();
    await connections.register(connection);

    await subscriptions.subscribe('room:kitchen', connection, { counter: 'rooms', limit: 1 });
    const again = await subscriptions.subscribe(
      'room:kitchen',
      { ...connection, name: 'Chef' },
      {
        counter: 'rooms',
        limit: 1,
      },
    );

    expect(again).toBe(true);
    expect(await subscriptions.member('room:kitchen', connection.connectionId)).toMatchObject({ name: 'Chef' });
    expect((await partition(`CONN#${connection.connectionId}`)).find((item) => item.sk === 'META')?.rooms).toBe(1);
  });

  it('never lets a concurrent burst of joins pass the rooms cap, nor take places from the topics', async () => {
    const connection = aConnection();
    await connections.register(connection);
    await subscriptions.subscribe('topic:kept', connection, { counter: 'topics', limit: 1 });

    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        subscriptions.subscribe(`room:burst-${i % 12}`, connection, { counter: 'rooms', limit: 4 }),
      ),
    );

    const items = await partition(`CONN#${connection.connectionId}`);
    const roomMarkers = items.filter((item) => String(item.sk).startsWith('SUB#room:'));
    expect(roomMarkers.length).toBeLessThanOrEqual(4);
    expect(roomMarkers.length).toBeGreaterThan(0);
    expect(items.find((item) => item.sk === 'META')).toMatchObject({ rooms: roomMarkers.length, subscriptions: 1 });
    expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(roomMarkers.length);
  });

  it('removes every record of a connection that holds the most subscriptions allowed', async () => {
    const connection = aConnection();
    await connections.register(connection);
    await subscriptions.subscribe('chat', connection);
    const topics = Array.from({ length: 100 }, (_, i) => `topic:full-${i}`);
    for (const topic of topics) await subscriptions.subscribe(topic, connection, { counter: 'topics', limit: 100 });

    const removed = await connections.remove(connection.connectionId);

    expect(removed?.channels).toHaveLength(101);
    expect(await partition(`CONN#${connection.connectionId}`)).toEqual([]);
    for (const topic of topics.slice(0, 5))
      expect(await subscriptions.isSubscribed(topic, connection.connectionId)).toBe(false);
  });

  it('unsubscribes and says whether it was subscribed', async () => {
    const connection = aConnection();
    await subscriptions.subscribe('topic:once', connection);

    expect(await subscriptions.unsubscribe('topic:once', connection.connectionId)).toBe(true);
    expect(await subscriptions.unsubscribe('topic:once', connection.connectionId)).toBe(false);
    expect(await partition(`CONN#${connection.connectionId}`)).toEqual([]);
  });
});

describe('DynamoDbUserRepository', () => {
  const user = { userId: 'u-count', name: 'Ada', createdAt: '2026-11-22T10:00:00.000Z', cursor: 0 };

  it('stores the user by identity alone', async () => {
    await users.create(user);

    expect(await users.get(user.userId)).toEqual(user);
  });

  it('forgets a deleted user and never resurrects it', async () => {
    await users.delete(user.userId);

    expect(await users.get(user.userId)).toBeUndefined();
    await users.touch(user.userId, 'ghost');
    expect(await users.get(user.userId)).toBeUndefined();
  });

  it('expires a session after its TTL without activity', async () => {
    await users.create({ ...user, userId: 'u-expiring' });

    clock.advance(8 * 24 * HOUR);

    expect(await users.get('u-expiring')).toBeUndefined();
    clock.advance(-8 * 24 * HOUR);
  });
});
