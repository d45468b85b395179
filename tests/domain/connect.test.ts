import { HandshakeRejectedError } from '../../src/domain/errors';
import { CHAT_ROOM, DEFAULT_ROOM, roomChannel, topicChannel } from '../../src/domain/model';
import { connect } from '../../src/domain/use-cases/connect';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { hello } from '../../src/domain/use-cases/hello';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, snapshotWrites } from './given';

async function rejection(promise: Promise<unknown>): Promise<HandshakeRejectedError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof HandshakeRejectedError))
    throw new Error(`Expected a HandshakeRejectedError, got ${String(error)}`);
  return error;
}

describe('connect', () => {
  it('creates a new anonymous user and puts the connection in the chat room', async () => {
    const deps = createMemoryDependencies();

    const { connection, user } = await connect(deps, { connectionId: 'c1', connectedAt: deps.clock.now() });

    expect(user).toEqual({ userId: 'id-1', name: 'guest-id1', createdAt: deps.clock.now().toISOString(), cursor: 0 });
    expect(connection).toMatchObject({ connectionId: 'c1', userId: 'id-1', name: 'guest-id1', resumed: false });
    expect(await deps.users.get('id-1')).toEqual(user);
    expect(await deps.connections.get('c1')).toEqual(connection);
    expect(await deps.subscriptions.isSubscribed(CHAT_ROOM, 'c1')).toBe(true);
    expect(deps.presenceChanges.pending).toEqual([{ room: DEFAULT_ROOM, userId: 'id-1', joinedBy: 'c1' }]);
    expect(deps.notifier.attempts).toBe(0);
  });

  it('also joins the ?room= room, counted against the connection’s room cap, and marks both rooms', async () => {
    const deps = createMemoryDependencies({ settings: { maxRoomsPerConnection: 1 } });

    await givenConnected(deps, 'c1', { room: 'kitchen' });

    expect(await deps.subscriptions.isSubscribed(roomChannel('kitchen'), 'c1')).toBe(true);
    expect(deps.presenceChanges.pending).toEqual([
      { room: DEFAULT_ROOM, userId: 'id-1', joinedBy: 'c1' },
      { room: 'kitchen', userId: 'id-1', joinedBy: 'c1' },
    ]);
    // The one place of the cap is taken by the handshake's room.
    const second = await deps.subscriptions.subscribe(roomChannel('garden'), (await deps.connections.get('c1'))!, {
      counter: 'rooms',
      limit: 1,
    });
    expect(second).toBe(false);
  });

  it('joins no room at connect when the deployment turned the default room off', async () => {
    const deps = createMemoryDependencies({ settings: { joinDefaultRoomOnConnect: false } });

    await givenConnected(deps, 'c1');

    expect(await deps.subscriptions.isSubscribed(CHAT_ROOM, 'c1')).toBe(false);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'two rooms'],
    ['129 characters long', 'r'.repeat(129)],
  ])('refuses a ?room= (%s) with 400 and writes nothing', async (_case, room) => {
    const deps = createMemoryDependencies();
    const before = snapshotWrites(deps);

    const error = await rejection(givenConnected(deps, 'c1', { room }));

    expect(error.statusCode).toBe(400);
    expect(snapshotWrites(deps)).toEqual(before);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it('costs the same in a room of 1 and of 300: it writes and marks, and sends nothing', async () => {
    const deps = createMemoryDependencies();
    for (let i = 0; i < 300; i += 1) await givenConnected(deps, `m${i}`);
    deps.presenceChanges.takeAll();
    deps.notifier.clear();
    const pagesBefore = deps.subscriptions.pagesRead;

    await givenConnected(deps, 'late');

    expect(deps.notifier.attempts).toBe(0);
    expect(deps.subscriptions.pagesRead).toBe(pagesBefore);
    expect(deps.presenceChanges.pending).toHaveLength(1);
  });

  it('fails a handshake whose user cannot be written, and leaves no connection, membership or mark', async () => {
    const deps = createMemoryDependencies();
    deps.users.create = () => Promise.reject(new Error('throttled'));

    await expect(connect(deps, { connectionId: 'c1', connectedAt: deps.clock.now() })).rejects.toThrow('throttled');

    expect(await deps.connections.get('c1')).toBeUndefined();
    expect(await deps.subscriptions.isSubscribed(CHAT_ROOM, 'c1')).toBe(false);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it('uses the trimmed handshake name for a new user', async () => {
    const deps = createMemoryDependencies();

    const { connection, user } = await givenConnected(deps, 'c1', { name: '  Ada  ' });

    expect(user.name).toBe('Ada');
    expect(connection.name).toBe('Ada');
  });

  it('keeps the source IP and user agent of the handshake', async () => {
    const deps = createMemoryDependencies();

    const { connection } = await givenConnected(deps, 'c1', { sourceIp: '203.0.113.7', userAgent: 'jest' });

    expect(connection).toMatchObject({ sourceIp: '203.0.113.7', userAgent: 'jest' });
  });

  it('subscribes to the topicName topic at connect time', async () => {
    const deps = createMemoryDependencies();

    await givenConnected(deps, 'c1', { topicName: 'prices/eur:usd' });

    expect(await deps.subscriptions.isSubscribed(topicChannel('prices/eur:usd'), 'c1')).toBe(true);
  });

  it('resumes the user that a valid token names and marks the connection resumed', async () => {
    const deps = createMemoryDependencies();
    const first = await givenConnected(deps, 'c1', { name: 'Ada' });
    const token = await deps.tokens.issue({ userId: first.user.userId, issuedAt: deps.clock.now() });

    const { connection, user } = await givenConnected(deps, 'c2', { token });

    expect(user.userId).toBe(first.user.userId);
    expect(connection).toMatchObject({ connectionId: 'c2', userId: first.user.userId, name: 'Ada', resumed: true });
    expect(deps.users.size).toBe(1);
  });

  it('renames a resumed user on this connection when the handshake has a name', async () => {
    const deps = createMemoryDependencies();
    const first = await givenConnected(deps, 'c1', { name: 'Ada' });
    const token = await deps.tokens.issue({ userId: first.user.userId, issuedAt: deps.clock.now() });

    const { connection } = await givenConnected(deps, 'c2', { token, name: 'Countess' });

    expect(connection.name).toBe('Countess');
    expect((await deps.users.get(first.user.userId))?.name).toBe('Countess');
    expect((await deps.connections.get('c1'))?.name).toBe('Ada');
  });

  it.each([
    ['a forged token', () => 'forged-token'],
    ['an empty token', () => ''],
    ['a token for a user that does not exist', () => 'signed:nobody:1714564800000'],
  ])('refuses %s with 401 and writes nothing', async (_case, makeToken) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'c1');
    const before = snapshotWrites(deps);

    const error = await rejection(givenConnected(deps, 'c2', { token: makeToken() }));

    expect(error.statusCode).toBe(401);
    expect(snapshotWrites(deps)).toEqual(before);
    expect(await deps.connections.get('c2')).toBeUndefined();
    expect(deps.subscriptions.channelsOf('c2')).toEqual([]);
  });

  it('refuses the token of a user that was reset with 401', async () => {
    const deps = createMemoryDependencies();
    const first = await givenConnected(deps, 'c1');
    const token = await deps.tokens.issue({ userId: first.user.userId, issuedAt: deps.clock.now() });
    await deps.users.delete(first.user.userId);

    const error = await rejection(givenConnected(deps, 'c2', { token }));

    expect(error.statusCode).toBe(401);
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
    ['41 characters long', 'x'.repeat(41)],
    ['with a control character', 'Ada\u0007'],
  ])('refuses a name (%s) with 400 and writes nothing', async (_case, name) => {
    const deps = createMemoryDependencies();
    const before = snapshotWrites(deps);

    const error = await rejection(givenConnected(deps, 'c1', { name }));

    expect(error.statusCode).toBe(400);
    expect(snapshotWrites(deps)).toEqual(before);
    expect(deps.subscriptions.channelsOf('c1')).toEqual([]);
  });

  it('refuses a bad name with 400 even with a valid token, and writes nothing', async () => {
    const deps = createMemoryDependencies();
    const first = await givenConnected(deps, 'c1', { name: 'Ada' });
    const token = await deps.tokens.issue({ userId: first.user.userId, issuedAt: deps.clock.now() });
    const before = snapshotWrites(deps);

    const error = await rejection(givenConnected(deps, 'c2', { token, name: '' }));

    expect(error.statusCode).toBe(400);
    expect(snapshotWrites(deps)).toEqual(before);
    expect((await deps.users.get(first.user.userId))?.name).toBe('Ada');
  });

  it.each([
    ['empty', ''],
    ['with a space', 'two words'],
    ['129 characters long', 't'.repeat(129)],
    ['with a non-ASCII letter', 'café'],
  ])('refuses a topicName (%s) with 400 and writes nothing', async (_case, topicName) => {
    const deps = createMemoryDependencies();
    const before = snapshotWrites(deps);

    const error = await rejection(givenConnected(deps, 'c1', { topicName }));

    expect(error.statusCode).toBe(400);
    expect(snapshotWrites(deps)).toEqual(before);
    expect(deps.subscriptions.channelsOf('c1')).toEqual([]);
  });

  it('is announced by the presence worker to everyone else in the room, not to the user who joined', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenPresenceAnnounced(deps);
    deps.notifier.clear();

    const bob = await givenConnected(deps, 'bob-1', { name: 'Bob' });
    expect(deps.notifier.sent).toEqual([]);
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesFor('ada-1')).toEqual([
      { type: 'presence', room: DEFAULT_ROOM, tick: 2, count: 2, joined: [{ userId: bob.user.userId, name: 'Bob' }] },
    ]);
    expect(deps.notifier.framesFor('bob-1')).toEqual([]);
    expect(ada.user.userId).not.toBe(bob.user.userId);
  });

  it('announces exactly one join when two tabs of a returning user connect at once', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await disconnect(deps, 'ada-1');
    await givenPresenceAnnounced(deps);
    const token = await deps.tokens.issue({ userId: ada.user.userId, issuedAt: deps.clock.now() });
    deps.notifier.clear();

    await Promise.all([givenConnected(deps, 'ada-2', { token }), givenConnected(deps, 'ada-3', { token })]);
    await givenPresenceAnnounced(deps);

    expect(deps.notifier.framesOfType('bob-1', 'presence')).toHaveLength(1);
  });
});

describe('hello', () => {
  it('reports the session with a token that resumes the same user', async () => {
    const deps = createMemoryDependencies({ article: { text: 'héllo 🌍' } });
    const { user } = await givenConnected(deps, 'c1');

    const session = await hello(deps, 'c1');
    const resumed = await givenConnected(deps, 'c2', { token: session.token });

    expect(session).toMatchObject({
      type: 'session',
      userId: user.userId,
      connectionId: 'c1',
      resumed: false,
      cursor: 0,
      total: 7,
    });
    expect(resumed.user.userId).toBe(user.userId);
  });

  it('still answers hello when the article cannot be loaded: the saved cursor and a total of 0', async () => {
    const deps = createMemoryDependencies();
    const { user } = await givenConnected(deps, 'c1');
    deps.article.load = async () => {
      throw new Error('the article source is down');
    };

    const session = await hello(deps, 'c1');

    expect(session).toMatchObject({
      type: 'session',
      userId: user.userId,
      cursor: 0,
      total: 0,
      token: expect.any(String),
    });
  });
});
