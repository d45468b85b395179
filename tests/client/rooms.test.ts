import {
  type ChatFrame,
  InvalidNameError,
  InvalidRoomError,
  NotInRoomError,
  type PresenceFrame,
  type RoomInfo,
} from '@switchboard/client';
import { setup, URL_ } from './support/harness';

const chat = (room: string, seq: number, overrides: Partial<ChatFrame> = {}): ChatFrame => ({
  type: 'chat',
  room,
  id: `${room}-${seq}`,
  seq,
  message: `m${seq}`,
  from: { userId: 'u9', name: 'Grace' },
  sentAt: '',
  ...overrides,
});

const presence = (room: string, tick: number, rest: Partial<PresenceFrame> = {}): PresenceFrame => ({
  type: 'presence',
  room,
  tick,
  count: 2,
  ...rest,
});

const user = (id: string, connections = 1) => ({ userId: id, name: id.toUpperCase(), connections });

const sentOf = (frames: Array<Record<string, unknown>>, action: string) =>
  frames.filter((frame) => frame.action === action);

describe('joining and leaving rooms', () => {
  it('sends join once connected, and asks the room for its history and who is here once the server confirms', () => {
    const { client, establish } = setup();
    const rooms: RoomInfo[][] = [];
    client.on('rooms', (list) => rooms.push(list));
    client.joinRoom('design', { name: 'Ada' });
    expect(client.rooms.map(({ room, status }) => [room, status])).toEqual([
      ['lobby', 'joining'],
      ['design', 'joining'],
    ]);
    client.connect(URL_);
    const socket = establish();

    expect(sentOf(socket.sent, 'join')).toEqual([{ action: 'join', room: 'design', name: 'Ada' }]);
    expect(sentOf(socket.sent, 'history')).toEqual([{ action: 'history', limit: 50 }]);
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });

    expect(sentOf(socket.sent, 'history')).toEqual([
      { action: 'history', limit: 50 },
      { action: 'history', limit: 50, room: 'design' },
    ]);
    expect(sentOf(socket.sent, 'who')).toEqual([{ action: 'who' }, { action: 'who', room: 'design' }]);
    expect(client.room('design')?.status).toBe('joined');
    expect(rooms.at(-1)?.map((info) => info.status)).toEqual(['joined', 'joined']);
  });

  it('refuses a bad room name or a bad name in it before sending anything', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const before = socket.sent.length;

    expect(() => client.joinRoom('no spaces')).toThrow(InvalidRoomError);
    expect(() => client.joinRoom('x'.repeat(129))).toThrow(InvalidRoomError);
    expect(() => client.joinRoom('ok', { name: 'a\u200bb' })).toThrow(InvalidNameError);
    expect(() => client.sendChat('hi', { room: 'bad room' })).toThrow(InvalidRoomError);
    expect(socket.sent.length).toBe(before);
    expect(client.rooms.map((info) => info.room)).toEqual(['lobby']);
  });

  it('joins one room at a time, and joins every room again after a reconnect', () => {
    const { client, establish, last, scheduler } = setup();
    client.connect(URL_);
    let socket = establish();
    client.joinRoom('a');
    client.joinRoom('b', { name: 'Bea' });
    expect(sentOf(socket.sent, 'join')).toEqual([{ action: 'join', room: 'a' }]);
    socket.receive({ type: 'joined', room: 'a', name: 'Ada' });
    expect(sentOf(socket.sent, 'join')).toEqual([
      { action: 'join', room: 'a' },
      { action: 'join', room: 'b', name: 'Bea' },
    ]);
    socket.receive({ type: 'joined', room: 'b', name: 'Bea' });

    const told: string[][] = [];
    client.on('rooms', (list) => told.push(list.map((info) => info.status)));
    socket.drop();
    expect(client.rooms.map((info) => info.status)).toEqual(['joining', 'joining', 'joining']);
    expect(told).toEqual([['joining', 'joining', 'joining']]);
    scheduler.advance(1000);
    socket = establish();
    expect(last()).toBe(socket);
    expect(sentOf(socket.sent, 'join')).toEqual([{ action: 'join', room: 'a' }]);
    socket.receive({ type: 'joined', room: 'a', name: 'Ada' });
    socket.receive({ type: 'joined', room: 'b', name: 'Bea' });
    expect(sentOf(socket.sent, 'join')).toEqual([
      { action: 'join', room: 'a' },
      { action: 'join', room: 'b', name: 'Bea' },
    ]);
    expect(client.rooms.map((info) => info.status)).toEqual(['joined', 'joined', 'joined']);
  });

  it('drops a room the server refuses (too_many_rooms), says so, and goes on with the next join', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const refused: Array<{ room: string; code: string }> = [];
    client.on('roomRefused', ({ room, error }) => refused.push({ room, code: error.code }));
    client.joinRoom('eleventh');
    client.joinRoom('twelfth');

    socket.receive({ type: 'error', code: 'too_many_rooms', message: 'at most 10 rooms', action: 'join' });

    expect(refused).toEqual([{ room: 'eleventh', code: 'too_many_rooms' }]);
    expect(client.rooms.map((info) => info.room)).toEqual(['lobby', 'twelfth']);
    expect(sentOf(socket.sent, 'join').at(-1)).toEqual({ action: 'join', room: 'twelfth' });
    expect(sentOf(socket.sent, 'leave')).toEqual([]);
  });

  it('waits out a rate-limited join and sends it again', () => {
    const { client, establish, scheduler } = setup({ rateLimitRetryMs: 1000 });
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('busy');
    socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', action: 'join' });
    expect(sentOf(socket.sent, 'join')).toHaveLength(1);
    scheduler.advance(1000);
    expect(sentOf(socket.sent, 'join')).toEqual([
      { action: 'join', room: 'busy' },
      { action: 'join', room: 'busy' },
    ]);
    expect(client.room('busy')?.status).toBe('joining');
  });

  it('leaves a room, fails its unsent messages, and does not join it again after a reconnect', () => {
    const { client, establish, scheduler } = setup();
    const outcomes: unknown[] = [];
    client.on('chatOutcome', (outcome) => outcomes.push(outcome));
    client.connect(URL_);
    let socket = establish();
    client.joinRoom('a');
    const waiting = client.sendChat('not yet sent', { room: 'a' });
    expect(sentOf(socket.sent, 'sendmessage')).toEqual([]);

    client.leaveRoom('a');
    expect(sentOf(socket.sent, 'leave')).toEqual([{ action: 'leave', room: 'a' }]);
    expect(outcomes).toEqual([
      { id: waiting.id, status: 'failed', error: expect.objectContaining({ kind: 'server', code: 'not_in_room' }) },
    ]);
    expect(client.outbox.size).toBe(0);
    // The join was still on the wire: its late confirmation is answered with a leave.
    socket.receive({ type: 'joined', room: 'a', name: 'Ada' });
    expect(sentOf(socket.sent, 'leave')).toHaveLength(2);
    expect(() => client.sendChat('too late', { room: 'a' })).toThrow(NotInRoomError);

    socket.drop();
    scheduler.advance(1000);
    socket = establish();
    expect(sentOf(socket.sent, 'join')).toEqual([]);
  });

  it('joins the default room itself with chat: false, for a deployment that does not join it at connect', () => {
    const { client, establish } = setup({ chat: false });
    client.joinRoom('lobby');
    client.connect(URL_);
    const socket = establish();
    expect(sentOf(socket.sent, 'join')).toEqual([{ action: 'join', room: 'lobby' }]);
    expect(sentOf(socket.sent, 'history')).toEqual([]);
    socket.receive({ type: 'joined', room: 'lobby', name: 'Ada' });
    expect(sentOf(socket.sent, 'history')).toEqual([{ action: 'history', limit: 50 }]);
    const entry = client.sendChat('hi');
    expect(sentOf(socket.sent, 'sendmessage')).toEqual([{ action: 'sendmessage', message: 'hi', id: entry.id }]);
  });

  it('leaves the default room again on every new connection once the application left it', () => {
    const { client, establish, scheduler } = setup();
    client.connect(URL_);
    let socket = establish();
    client.leaveRoom('lobby');
    socket.drop();
    scheduler.advance(1000);
    socket = establish();
    expect(sentOf(socket.sent, 'leave')).toEqual([{ action: 'leave', room: 'lobby' }]);
    expect(sentOf(socket.sent, 'history')).toEqual([]);
    expect(sentOf(socket.sent, 'who')).toEqual([]);
  });
});

describe('chat per room', () => {
  it('sends chat to a room only once it is joined, with the room named, and the default room as before', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('design');
    const inRoom = client.sendChat('hello design', { room: 'design' });
    const inLobby = client.sendChat('hello lobby');
    expect(sentOf(socket.sent, 'sendmessage')).toEqual([
      { action: 'sendmessage', message: 'hello lobby', id: inLobby.id },
    ]);

    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });

    expect(sentOf(socket.sent, 'sendmessage')).toEqual([
      { action: 'sendmessage', message: 'hello lobby', id: inLobby.id },
      { action: 'sendmessage', message: 'hello design', id: inRoom.id, room: 'design' },
    ]);
    expect(inRoom.room).toBe('design');
    expect(() => client.sendChat('hi', { room: 'elsewhere' })).toThrow(NotInRoomError);
  });

  it('drops a repeated seq within a room but not the same seq in another room', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });
    const delivered: string[] = [];
    client.on('chat', ({ frame }) => delivered.push(`${frame.room}:${frame.seq}`));

    socket.receive(chat('lobby', 1));
    socket.receive(chat('design', 1));
    socket.receive(chat('design', 1));
    socket.receive(chat('lobby', 2));
    socket.receive(chat('lobby', 1));

    expect(delivered).toEqual(['lobby:1', 'design:1', 'lobby:2']);
  });

  it('follows `before` in each room apart', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });

    socket.receive({ type: 'history', room: 'design', messages: [chat('design', 50)], before: 50 });
    socket.receive({ type: 'history', room: 'lobby', messages: [chat('lobby', 8), chat('lobby', 9)], before: 8 });

    expect(sentOf(socket.sent, 'history').slice(2)).toEqual([
      { action: 'history', limit: 49, before: 50, room: 'design' },
      { action: 'history', limit: 48, before: 8 },
    ]);
  });
});

describe('who per room', () => {
  it('gathers the pages of two rooms asked at once apart, each with its own cursor', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });
    const lists: Array<[string, string[]]> = [];
    client.on('who', (frame) => lists.push([frame.room, frame.users.map((u) => u.userId)]));

    socket.receive({ type: 'who', room: 'lobby', users: [user('a'), user('b')], cursor: 'L1' });
    socket.receive({ type: 'who', room: 'design', users: [user('d')], cursor: 'D1' });
    socket.receive({ type: 'who', room: 'lobby', users: [user('c')] });
    socket.receive({ type: 'who', room: 'design', users: [user('e')] });

    expect(sentOf(socket.sent, 'who')).toEqual([
      { action: 'who' },
      { action: 'who', room: 'design' },
      { action: 'who', cursor: 'L1' },
      { action: 'who', cursor: 'D1', room: 'design' },
    ]);
    expect(lists).toEqual([
      ['lobby', ['a', 'b', 'c']],
      ['design', ['d', 'e']],
    ]);
    expect(client.room('design')).toMatchObject({ count: 2, users: [user('d'), user('e')] });
  });
});

describe('who in a crowd', () => {
  it('stops gathering a room after ten pages and hands over that list with the cursor of the rest', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    const lists: Array<{ users: number; cursor?: string }> = [];
    client.on('who', (frame) =>
      lists.push({ users: frame.users.length, ...(frame.cursor ? { cursor: frame.cursor } : {}) }),
    );

    for (let page = 1; page <= 10; page += 1) {
      socket.receive({ type: 'who', room: 'lobby', users: [user(`u${page}`)], cursor: `L${page}` });
    }

    expect(sentOf(socket.sent, 'who')).toHaveLength(10);
    expect(lists[0]).toEqual({ users: 10, cursor: 'L10' });
  });
});

describe('presence per room', () => {
  function joinedDesign() {
    const harness = setup();
    harness.client.connect(URL_);
    const socket = harness.establish();
    harness.client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });
    socket.receive({ type: 'who', room: 'lobby', users: [user('u1'), user('b')] });
    socket.receive({ type: 'who', room: 'design', users: [user('u1')] });
    return { ...harness, socket };
  }

  it('applies a frame only when its tick is above the last applied for its room', () => {
    const { client, socket } = joinedDesign();
    const applied: string[] = [];
    client.on('presence', (frame) => applied.push(`${frame.room}@${frame.tick}`));

    socket.receive(presence('design', 5, { joined: [{ userId: 'g', name: 'Grace' }] }));
    socket.receive(presence('design', 5, { joined: [{ userId: 'g', name: 'Grace' }] }));
    socket.receive(presence('design', 4, { left: [{ userId: 'g', name: 'Grace' }] }));
    socket.receive(presence('lobby', 1, { left: [{ userId: 'b', name: 'B' }], count: 1 }));
    socket.receive(presence('design', 6, { left: [{ userId: 'g', name: 'Grace' }], count: 1 }));
    socket.receive(presence('elsewhere', 9, { joined: [{ userId: 'x', name: 'X' }] }));

    expect(applied).toEqual(['design@5', 'lobby@1', 'design@6']);
    expect(client.room('design')?.users?.map((u) => u.userId)).toEqual(['u1']);
    expect(client.room('lobby')).toMatchObject({ count: 1, users: [user('u1')] });
  });

  it('applies a late frame’s changes of other users, never one that a newer frame changed, and keeps the newest count', () => {
    const { client, socket } = joinedDesign();
    const applied: PresenceFrame[] = [];
    client.on('presence', (frame) => applied.push(frame));

    // Delivered in parallel: tick 7 (g left, h joined) overtakes tick 6 (g and k joined).
    socket.receive(
      presence('design', 7, {
        left: [{ userId: 'g', name: 'Grace' }],
        joined: [{ userId: 'h', name: 'Hal' }],
        count: 3,
      }),
    );
    socket.receive(
      presence('design', 6, {
        joined: [
          { userId: 'g', name: 'Grace' },
          { userId: 'k', name: 'Kim' },
        ],
        count: 3,
      }),
    );

    expect(
      client
        .room('design')
        ?.users?.map((u) => u.userId)
        .sort(),
    ).toEqual(['h', 'k', 'u1']);
    expect(client.room('design')?.count).toBe(3);
    expect(applied.map((frame) => [frame.tick, frame.joined?.map((u) => u.userId) ?? []])).toEqual([
      [7, ['h']],
      [6, ['k']],
    ]);
  });

  it('takes a joined user who is listed already as renamed', () => {
    const { client, socket } = joinedDesign();
    socket.receive(presence('design', 3, { joined: [{ userId: 'u1', name: 'Ada L.' }], count: 1 }));

    expect(client.room('design')?.users).toEqual([{ userId: 'u1', name: 'Ada L.', connections: 1 }]);
  });

  it('applies joins and leaves to the room’s members without asking who again', () => {
    const { client, socket } = joinedDesign();
    const rosters: RoomInfo[] = [];
    client.on('roster', (info) => rosters.push(info));
    const whoSent = sentOf(socket.sent, 'who').length;

    socket.receive(
      presence('design', 1, {
        count: 3,
        joined: [
          { userId: 'g', name: 'Grace' },
          { userId: 'h', name: 'Hopper' },
        ],
      }),
    );

    expect(rosters.at(-1)).toEqual({
      room: 'design',
      status: 'joined',
      count: 3,
      users: [
        user('u1'),
        { userId: 'g', name: 'Grace', connections: 1 },
        { userId: 'h', name: 'Hopper', connections: 1 },
      ],
    });
    expect(sentOf(socket.sent, 'who')).toHaveLength(whoSent);
  });

  it('applies presence that came while who was on its way to the answer, which may have been read before it', () => {
    const { client, establish } = setup();
    client.connect(URL_);
    const socket = establish();
    client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });

    socket.receive(presence('design', 1, { count: 3, joined: [{ userId: 'g', name: 'Grace' }] }));
    socket.receive(presence('design', 2, { count: 2, left: [{ userId: 'b', name: 'B' }] }));
    socket.receive({ type: 'who', room: 'design', users: [user('u1'), user('b')] });

    expect(client.room('design')).toMatchObject({
      count: 2,
      users: [user('u1'), { userId: 'g', name: 'Grace', connections: 1 }],
    });
    // Once answered, later frames apply to the list alone.
    socket.receive(presence('design', 3, { count: 1, left: [{ userId: 'g', name: 'Grace' }] }));
    expect(client.room('design')).toMatchObject({ count: 1, users: [user('u1')] });
  });

  it('shows the count alone for a room above the roster threshold, and asks for members when it lists them again', () => {
    const { client, socket } = joinedDesign();
    socket.receive(presence('design', 1, { count: 1500 }));
    expect(client.room('design')).toMatchObject({ count: 1500, users: undefined });
    expect(client.room('lobby')?.users).toHaveLength(2);

    const whoSent = sentOf(socket.sent, 'who').length;
    socket.receive(presence('design', 2, { count: 900, left: [{ userId: 'z', name: 'Z' }] }));
    expect(sentOf(socket.sent, 'who').slice(whoSent)).toEqual([{ action: 'who', room: 'design' }]);
    expect(client.room('design')?.users).toBeUndefined();
    socket.receive({ type: 'who', room: 'design', users: [user('u1'), user('y')] });
    expect(client.room('design')).toMatchObject({ count: 2, users: [user('u1'), user('y')] });
  });

  it('starts each room’s ticks afresh on a new connection, whose who is the truth again', () => {
    const { client, socket, scheduler, establish } = joinedDesign();
    const applied: number[] = [];
    client.on('presence', (frame) => applied.push(frame.tick));
    socket.receive(presence('lobby', 7, { joined: [{ userId: 'g', name: 'Grace' }] }));
    socket.drop();
    scheduler.advance(1000);
    const next = establish();
    next.receive(presence('lobby', 3, { left: [{ userId: 'g', name: 'Grace' }] }));
    expect(applied).toEqual([7, 3]);
  });

  it('reports a presence frame without a tick as malformed and applies nothing', () => {
    const { client, socket } = joinedDesign();
    const malformed: string[] = [];
    const applied: unknown[] = [];
    client.on('malformedFrame', ({ reason }) => malformed.push(reason));
    client.on('presence', (frame) => applied.push(frame));
    socket.receiveRaw(JSON.stringify({ type: 'presence', room: 'design', count: 1, joined: [] }));
    socket.receiveRaw(JSON.stringify({ type: 'presence', room: 'design', tick: 1, count: 1, joined: [{}] }));
    expect(malformed).toEqual([
      'presence: "tick" is missing or of the wrong kind',
      'presence: "joined" is missing or of the wrong kind',
    ]);
    expect(applied).toEqual([]);
  });
});

describe('a who that goes unanswered', () => {
  const internal = JSON.stringify({ message: 'Internal server error', connectionId: 'c1', requestId: 'r1' });
  const me = { userId: 'u1', name: 'Ada', connections: 1 };
  // No heartbeat within the test's virtual seconds: nothing but the retry sends.
  const QUIET = { rateLimitRetryMs: 1500, heartbeatMs: 600_000 };

  it.each(['rate_limited', 'internal'] as const)(
    'is asked again once the retry delay is out when the server refuses it (%s), and the list comes',
    (code) => {
      const { client, establish, scheduler } = setup(QUIET);
      client.connect(URL_);
      const socket = establish({ userId: 'u1' });
      expect(sentOf(socket.sent, 'who')).toEqual([{ action: 'who' }]);

      socket.receive({ type: 'error', code, message: 'busy', action: 'who' });
      scheduler.advance(1499);
      expect(sentOf(socket.sent, 'who')).toHaveLength(1);
      scheduler.advance(1);
      expect(sentOf(socket.sent, 'who')).toEqual([{ action: 'who' }, { action: 'who' }]);

      socket.receive({ type: 'who', room: 'lobby', users: [me] });
      expect(client.room('lobby')?.users).toEqual([me]);
    },
  );

  it('is asked again after API Gateway’s own error frame, which may have been its answer', () => {
    const { client, establish, scheduler } = setup(QUIET);
    client.connect(URL_);
    const socket = establish({ userId: 'u1' });
    client.joinRoom('design');
    socket.receive({ type: 'joined', room: 'design', name: 'Ada' });
    expect(sentOf(socket.sent, 'who')).toEqual([{ action: 'who' }, { action: 'who', room: 'design' }]);

    socket.receiveRaw(internal);
    scheduler.advance(1500);
    expect(sentOf(socket.sent, 'who').slice(2)).toEqual([{ action: 'who' }, { action: 'who', room: 'design' }]);

    socket.receive({ type: 'who', room: 'lobby', users: [me] });
    socket.receive({ type: 'who', room: 'design', users: [me] });
    expect(client.room('lobby')?.users).toEqual([me]);
    expect(client.room('design')?.users).toEqual([me]);
    // Later requests go out again: nothing is left waiting for an answer that will not come.
    client.requestWho();
    expect(sentOf(socket.sent, 'who')).toHaveLength(5);
  });

  it('is not asked again for a room not being listed, nor on a connection that is gone', () => {
    const { client, establish, scheduler, last } = setup(QUIET);
    client.connect(URL_);
    const socket = establish({ userId: 'u1' });
    socket.receive({ type: 'who', room: 'lobby', users: [me] });
    socket.receiveRaw(internal);
    scheduler.advance(1500);
    expect(sentOf(socket.sent, 'who')).toHaveLength(1);

    client.requestWho();
    socket.receive({ type: 'error', code: 'rate_limited', message: 'busy', action: 'who' });
    socket.drop();
    scheduler.advance(1000);
    const next = establish({ userId: 'u1' });
    expect(next).not.toBe(socket);
    scheduler.advance(1500);
    expect(sentOf(socket.sent, 'who')).toHaveLength(2);
    // The new connection asks once, as every connection does; the old one's retry is not carried over.
    expect(sentOf(next.sent, 'who')).toEqual([{ action: 'who' }]);
    expect(last()).toBe(next);
  });
});
