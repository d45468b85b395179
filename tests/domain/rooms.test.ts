import {
  InvalidFrameError,
  NotInRoomError,
  RateLimitedError,
  TooManyRoomsError,
  UnauthorizedError,
} from '../../src/domain/errors';
import { roomChannel } from '../../src/domain/model';
import { admitFrame, budgetRoomOf } from '../../src/domain/use-cases/admit-frame';
import { chatHistory, sendChat } from '../../src/domain/use-cases/chat';
import { joinRoom } from '../../src/domain/use-cases/join-room';
import { leaveRoom } from '../../src/domain/use-cases/leave-room';
import { resetSession } from '../../src/domain/use-cases/reset-session';
import { whoInRoom } from '../../src/domain/use-cases/who';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenSecondTab } from './given';

const BAD_ROOMS = ['', 'with space', 'é', 'x'.repeat(129), 'semi;colon'];

async function givenInKitchen(deps: MemoryDependencies, connectionId: string, name: string) {
  const connected = await givenConnected(deps, connectionId, { name });
  await joinRoom(deps, { connectionId, room: 'kitchen' });
  return connected;
}

describe('joinRoom', () => {
  it('moves the membership it wrote to the new user when a reset of the connection ran meanwhile', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.presenceChanges.takeAll();
    // The reset runs after the join read the connection and before it writes the membership, so the reset
    // has no kitchen membership to move: the one the join writes names Ada.
    const subscribe = deps.subscriptions.subscribe.bind(deps.subscriptions);
    let reset: Awaited<ReturnType<typeof resetSession>> | undefined;
    deps.subscriptions.subscribe = async (...args) => {
      reset ??= await resetSession(deps, 'ada-1');
      return subscribe(...args);
    };

    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });

    const members = await deps.subscriptions.members(roomChannel('kitchen'), ['ada-1']);
    expect(members.get('ada-1')?.userId).toBe(reset?.userId);
    expect(deps.presenceChanges.takeAll()).toContainEqual({
      room: 'kitchen',
      userId: reset?.userId,
      joinedBy: 'ada-1',
    });
    expect(reset?.userId).not.toBe(ada.user.userId);
  });

  it('puts the connection in the room under its own name, answers joined, then marks the presence change', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();
    deps.presenceChanges.takeAll();

    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });

    expect(deps.notifier.framesFor('ada-1')).toEqual([{ type: 'joined', room: 'kitchen', name: 'Ada' }]);
    expect(await deps.subscriptions.member(roomChannel('kitchen'), 'ada-1')).toMatchObject({
      userId: ada.user.userId,
      name: 'Ada',
    });
    expect(deps.presenceChanges.takeAll()).toEqual([{ room: 'kitchen', userId: ada.user.userId, joinedBy: 'ada-1' }]);
  });

  it('uses the name the join gives, trimmed, in that room only', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1', { name: 'Ada' });
    deps.notifier.clear();

    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen', name: '  Chef  ' });

    expect(deps.notifier.framesFor('ada-1')).toEqual([{ type: 'joined', room: 'kitchen', name: 'Chef' }]);
    expect((await deps.subscriptions.member(roomChannel('kitchen'), 'ada-1'))?.name).toBe('Chef');
    expect((await deps.subscriptions.member(roomChannel('lobby'), 'ada-1'))?.name).toBe('Ada');
  });

  it.each(BAD_ROOMS)('refuses the room name %j with invalid_frame, and writes nothing', async (room) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    deps.notifier.clear();
    deps.presenceChanges.takeAll();

    await expect(joinRoom(deps, { connectionId: 'ada-1', room })).rejects.toBeInstanceOf(InvalidFrameError);
    expect(deps.subscriptions.channelsOf('ada-1')).toEqual(['chat']);
    expect(deps.notifier.sent).toEqual([]);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it.each(['', '   ', 'x'.repeat(41), 'bell\u0007', 'rtl\u202e'])(
    'refuses the name %j with invalid_frame, and writes nothing',
    async (name) => {
      const deps = createMemoryDependencies();
      await givenConnected(deps, 'ada-1');
      deps.presenceChanges.takeAll();

      const attempt = joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen', name });

      await expect(attempt).rejects.toBeInstanceOf(InvalidFrameError);
      expect(deps.subscriptions.channelsOf('ada-1')).toEqual(['chat']);
      expect(deps.presenceChanges.pending).toEqual([]);
    },
  );

  it('refuses a named room past the cap with too_many_rooms; the default room never counts', async () => {
    const deps = createMemoryDependencies({ settings: { maxRoomsPerConnection: 2 } });
    await givenConnected(deps, 'ada-1');
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });
    await joinRoom(deps, { connectionId: 'ada-1', room: 'garden' });
    await joinRoom(deps, { connectionId: 'ada-1', room: 'lobby' });
    deps.notifier.clear();
    deps.presenceChanges.takeAll();

    const attempt = joinRoom(deps, { connectionId: 'ada-1', room: 'attic' });

    await expect(attempt).rejects.toBeInstanceOf(TooManyRoomsError);
    await expect(attempt).rejects.toMatchObject({ code: 'too_many_rooms' });
    expect(await deps.subscriptions.isSubscribed(roomChannel('attic'), 'ada-1')).toBe(false);
    expect(deps.notifier.sent).toEqual([]);
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it('does not count a room joined again, and renames the connection there', async () => {
    const deps = createMemoryDependencies({ settings: { maxRoomsPerConnection: 1 } });
    await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });
    deps.notifier.clear();

    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen', name: 'Chef' });

    expect(deps.notifier.framesFor('ada-1')).toEqual([{ type: 'joined', room: 'kitchen', name: 'Chef' }]);
    expect((await deps.subscriptions.member(roomChannel('kitchen'), 'ada-1'))?.name).toBe('Chef');
    await expect(joinRoom(deps, { connectionId: 'ada-1', room: 'garden' })).rejects.toBeInstanceOf(TooManyRoomsError);
  });

  it('caps LIMITS.roomsPerConnection (10) rooms when the deployment sets none', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    for (let index = 0; index < 10; index += 1) await joinRoom(deps, { connectionId: 'ada-1', room: `room-${index}` });

    await expect(joinRoom(deps, { connectionId: 'ada-1', room: 'room-10' })).rejects.toBeInstanceOf(TooManyRoomsError);
  });

  it('refuses a connection without a session with unauthorized', async () => {
    const deps = createMemoryDependencies();

    await expect(joinRoom(deps, { connectionId: 'ghost', room: 'kitchen' })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it.each(['lobby', 'kitchen'])(
    'leaves no member of %s behind when the connection closes while it joins',
    async (room) => {
      const deps = createMemoryDependencies();
      await givenConnected(deps, 'ada-1');
      // The close lands between the join's read of the connection and its write of the membership.
      const subscribe = deps.subscriptions.subscribe.bind(deps.subscriptions);
      deps.subscriptions.subscribe = async (channel, connection, cap) => {
        await deps.connections.remove('ada-1');
        return subscribe(channel, connection, cap);
      };

      await expect(joinRoom(deps, { connectionId: 'ada-1', room })).rejects.toBeInstanceOf(UnauthorizedError);
      expect(await deps.subscriptions.isSubscribed(roomChannel(room), 'ada-1')).toBe(false);
      expect(deps.notifier.framesFor('ada-1')).toEqual([]);
    },
  );
});

describe('leaveRoom', () => {
  it('takes the connection out, answers left, marks the presence change, and frees its place', async () => {
    const deps = createMemoryDependencies({ settings: { maxRoomsPerConnection: 1 } });
    const ada = await givenInKitchen(deps, 'ada-1', 'Ada');
    deps.notifier.clear();
    deps.presenceChanges.takeAll();

    await leaveRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });

    expect(deps.notifier.framesFor('ada-1')).toEqual([{ type: 'left', room: 'kitchen' }]);
    expect(await deps.subscriptions.isSubscribed(roomChannel('kitchen'), 'ada-1')).toBe(false);
    expect(deps.presenceChanges.takeAll()).toEqual([{ room: 'kitchen', userId: ada.user.userId }]);
    await expect(joinRoom(deps, { connectionId: 'ada-1', room: 'garden' })).resolves.toBeUndefined();
  });

  it('answers not_in_room for a room the connection is not in (or has left), and marks nothing', async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'ada-1', 'Ada');
    await leaveRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });
    deps.presenceChanges.takeAll();

    await expect(leaveRoom(deps, { connectionId: 'ada-1', room: 'kitchen' })).rejects.toBeInstanceOf(NotInRoomError);
    await expect(leaveRoom(deps, { connectionId: 'ada-1', room: 'attic' })).rejects.toMatchObject({
      code: 'not_in_room',
    });
    expect(deps.presenceChanges.pending).toEqual([]);
  });

  it.each(BAD_ROOMS)('refuses the room name %j with invalid_frame', async (room) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    await expect(leaveRoom(deps, { connectionId: 'ada-1', room })).rejects.toBeInstanceOf(InvalidFrameError);
    expect(deps.subscriptions.channelsOf('ada-1')).toEqual(['chat']);
  });

  it('lets a connection leave the default room', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    await leaveRoom(deps, { connectionId: 'ada-1', room: 'lobby' });

    expect(deps.subscriptions.channelsOf('ada-1')).toEqual([]);
  });
});

describe('chat in a room', () => {
  it('delivers to the members of the room only, from the name the sender has there', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen', name: 'Chef' });
    await givenInKitchen(deps, 'bob-1', 'Bob');
    await givenConnected(deps, 'eve-1', { name: 'Eve' });
    deps.notifier.clear();

    const result = await sendChat(deps, { connectionId: 'ada-1', text: 'soup?', room: 'kitchen', echoToSender: true });

    const expected = {
      type: 'chat',
      room: 'kitchen',
      id: expect.any(String),
      seq: 1,
      message: 'soup?',
      from: { userId: ada.user.userId, name: 'Chef' },
      sentAt: deps.clock.now().toISOString(),
    };
    expect(result).toMatchObject({ delivered: 2, duplicate: false });
    expect(deps.notifier.framesFor('ada-1')).toEqual([expected]);
    expect(deps.notifier.framesFor('bob-1')).toEqual([expected]);
    expect(deps.notifier.framesFor('eve-1')).toEqual([]);
  });

  it('numbers each room on its own, and keeps the default room apart', async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'ada-1', 'Ada');

    await sendChat(deps, { connectionId: 'ada-1', text: 'in the lobby', echoToSender: true });
    await sendChat(deps, { connectionId: 'ada-1', text: 'in the kitchen', room: 'kitchen', echoToSender: true });

    const chats = deps.notifier.framesOfType('ada-1', 'chat');
    expect(chats.map((frame) => [frame.room, frame.seq, frame.message])).toEqual([
      ['lobby', 1, 'in the lobby'],
      ['kitchen', 1, 'in the kitchen'],
    ]);
  });

  it('keeps ids apart per room: one id used in two rooms is two messages, a repeat in one room is one', async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'ada-1', 'Ada');

    const lobby = await sendChat(deps, { connectionId: 'ada-1', text: 'a', id: 'm1', echoToSender: true });
    const kitchen = await sendChat(deps, {
      connectionId: 'ada-1',
      text: 'a',
      id: 'm1',
      room: 'kitchen',
      echoToSender: true,
    });
    const repeat = await sendChat(deps, {
      connectionId: 'ada-1',
      text: 'a',
      id: 'm1',
      room: 'kitchen',
      echoToSender: true,
    });

    expect([lobby.duplicate, kitchen.duplicate, repeat.duplicate]).toEqual([false, false, true]);
    expect(await deps.messages.latestSeq(roomChannel('kitchen'))).toBe(1);
    expect(await deps.messages.latestSeq(roomChannel('lobby'))).toBe(1);
  });

  it.each([true, false])(
    'refuses a room the sender is not in with not_in_room (echo %p), storing nothing',
    async (echo) => {
      const deps = createMemoryDependencies();
      await givenConnected(deps, 'ada-1');
      await givenInKitchen(deps, 'bob-1', 'Bob');
      deps.notifier.clear();

      const attempt = sendChat(deps, { connectionId: 'ada-1', text: 'let me in', room: 'kitchen', echoToSender: echo });

      await expect(attempt).rejects.toBeInstanceOf(NotInRoomError);
      expect(await deps.messages.latestSeq(roomChannel('kitchen'))).toBe(0);
      expect(deps.notifier.sent).toEqual([]);
    },
  );

  it('refuses the default room to a connection that left it', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    await leaveRoom(deps, { connectionId: 'ada-1', room: 'lobby' });

    await expect(sendChat(deps, { connectionId: 'ada-1', text: 'hi', echoToSender: true })).rejects.toBeInstanceOf(
      NotInRoomError,
    );
  });

  it.each(BAD_ROOMS)('refuses the room name %j with invalid_frame', async (room) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    await expect(
      sendChat(deps, { connectionId: 'ada-1', text: 'hi', room, echoToSender: true }),
    ).rejects.toBeInstanceOf(InvalidFrameError);
  });
});

describe('history and who in a room', () => {
  it("reads the room's own messages, and says which room", async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'ada-1', 'Ada');
    await sendChat(deps, { connectionId: 'ada-1', text: 'lobby line', echoToSender: true });
    for (const text of ['one', 'two', 'three'])
      await sendChat(deps, { connectionId: 'ada-1', text, room: 'kitchen', echoToSender: true });

    const kitchen = await chatHistory(deps, { connectionId: 'ada-1', room: 'kitchen', limit: 2 });
    const older = await chatHistory(deps, { connectionId: 'ada-1', room: 'kitchen', before: kitchen.messages[0]?.seq });
    const lobby = await chatHistory(deps, { connectionId: 'ada-1' });

    expect(kitchen.room).toBe('kitchen');
    expect(kitchen.messages.map((frame) => [frame.room, frame.message])).toEqual([
      ['kitchen', 'two'],
      ['kitchen', 'three'],
    ]);
    expect(older.messages.map((frame) => frame.message)).toEqual(['one']);
    expect(lobby).toMatchObject({ room: 'lobby', messages: [expect.objectContaining({ message: 'lobby line' })] });
  });

  it('refuses history and who of a room the connection is not in with not_in_room', async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'bob-1', 'Bob');
    await givenConnected(deps, 'eve-1');

    await expect(chatHistory(deps, { connectionId: 'eve-1', room: 'kitchen' })).rejects.toBeInstanceOf(NotInRoomError);
    await expect(whoInRoom(deps, { connectionId: 'eve-1', room: 'kitchen' })).rejects.toBeInstanceOf(NotInRoomError);
  });

  it.each(BAD_ROOMS)('refuses history and who of the room name %j with invalid_frame', async (room) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    await expect(chatHistory(deps, { connectionId: 'ada-1', room })).rejects.toBeInstanceOf(InvalidFrameError);
    await expect(whoInRoom(deps, { connectionId: 'ada-1', room })).rejects.toBeInstanceOf(InvalidFrameError);
  });

  it('lists the members of the room under their names there, each user once', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen', name: 'Chef' });
    await givenSecondTab(deps, 'ada-2', ada);
    await joinRoom(deps, { connectionId: 'ada-2', room: 'kitchen', name: 'Chef' });
    const bob = await givenInKitchen(deps, 'bob-1', 'Bob');
    await givenConnected(deps, 'eve-1', { name: 'Eve' });

    const who = await whoInRoom(deps, { connectionId: 'bob-1', room: 'kitchen' });

    expect(who).toEqual({
      room: 'kitchen',
      users: [
        { userId: ada.user.userId, name: 'Chef', connections: 2 },
        { userId: bob.user.userId, name: 'Bob', connections: 1 },
      ],
    });
    expect((await whoInRoom(deps, { connectionId: 'eve-1' })).users).toHaveLength(3);
  });

  it("pages a room with its own cursor, and refuses another room's cursor, or a forged one, with invalid_frame", async () => {
    const deps = createMemoryDependencies();
    for (let index = 0; index < 101; index += 1) await givenInKitchen(deps, `c${index}`, `user ${index}`);

    const kitchen = await whoInRoom(deps, { connectionId: 'c0', room: 'kitchen' });
    const lobby = await whoInRoom(deps, { connectionId: 'c0' });
    const next = await whoInRoom(deps, { connectionId: 'c0', room: 'kitchen', cursor: kitchen.cursor });

    expect(kitchen.users).toHaveLength(100);
    expect(next).toEqual({ room: 'kitchen', users: [expect.objectContaining({ name: 'user 100' })] });
    await expect(whoInRoom(deps, { connectionId: 'c0', room: 'kitchen', cursor: lobby.cursor })).rejects.toBeInstanceOf(
      InvalidFrameError,
    );
    await expect(whoInRoom(deps, { connectionId: 'c0', cursor: kitchen.cursor })).rejects.toBeInstanceOf(
      InvalidFrameError,
    );
    for (const forged of ['v1.room:attic.c1', 'v1.room:kitchen.', 'v1.room:kitchen.c1.x', 'v1.room:kitchenette.c1']) {
      await expect(whoInRoom(deps, { connectionId: 'c0', room: 'kitchen', cursor: forged })).rejects.toBeInstanceOf(
        InvalidFrameError,
      );
    }
  });
});

describe('rate limits per room', () => {
  it('draws chat and reads that act in a room from that room’s budget, and everything else from the connection’s', () => {
    expect(budgetRoomOf('sendmessage', { room: 'kitchen' })).toBe('kitchen');
    expect(budgetRoomOf('send', {})).toBe('lobby');
    expect(budgetRoomOf('history', { room: 'kitchen' })).toBe('kitchen');
    expect(budgetRoomOf('who', {})).toBe('lobby');
    expect(budgetRoomOf('reset', {})).toBeUndefined();
    expect(budgetRoomOf('join', { room: 'kitchen' })).toBeUndefined();
    expect(budgetRoomOf('publish', { room: 'kitchen' })).toBeUndefined();
  });

  it('refuses a spent room and lets the same connection chat in another', async () => {
    const deps = createMemoryDependencies();
    await givenInKitchen(deps, 'ada-1', 'Ada');
    deps.rateLimiter.deny('ada-1', 'chat', 'kitchen');

    await expect(admitFrame(deps, 'ada-1', 'chat', deps.clock.now(), 'kitchen')).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await expect(admitFrame(deps, 'ada-1', 'chat', deps.clock.now(), 'lobby')).resolves.toBeUndefined();
    await expect(admitFrame(deps, 'ada-1', 'chat', deps.clock.now())).resolves.toBeUndefined();
    expect(deps.rateLimiter.asked).toEqual([
      { connectionId: 'ada-1', routeClass: 'chat', room: 'kitchen' },
      { connectionId: 'ada-1', routeClass: 'chat', room: 'lobby' },
      { connectionId: 'ada-1', routeClass: 'chat' },
    ]);
  });

  it('answers not_in_room when the limiter has no budget for the connection in the room', async () => {
    const limiter = { tryAcquire: async () => 'not_in_room' as const };

    const attempt = admitFrame({ rateLimiter: limiter }, 'ada-1', 'read', new Date(), 'attic');

    await expect(attempt).rejects.toBeInstanceOf(NotInRoomError);
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining('"attic"') });
  });
});
