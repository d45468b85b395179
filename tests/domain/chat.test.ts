import { InvalidFrameError, TooLargeError } from '../../src/domain/errors';
import { CHAT_ROOM } from '../../src/domain/model';
import { chatHistory, sendChat } from '../../src/domain/use-cases/chat';
import { whoIsHere } from '../../src/domain/use-cases/who';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenSecondTab } from './given';

async function givenChatMessages(deps: MemoryDependencies, connectionId: string, count: number): Promise<void> {
  for (let index = 1; index <= count; index += 1) {
    await sendChat(deps, { connectionId, text: `line ${index}`, echoToSender: true });
  }
}

describe('sendChat', () => {
  it('sendmessage delivers a chat frame to everyone in the room, the sending connection included', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    deps.notifier.clear();

    const result = await sendChat(deps, { connectionId: 'ada-1', text: '  hello  ', id: 'm1', echoToSender: true });

    const expected = {
      type: 'chat',
      room: 'lobby',
      id: 'm1',
      seq: 1,
      message: 'hello',
      from: { userId: ada.user.userId, name: 'Ada' },
      sentAt: deps.clock.now().toISOString(),
    };
    expect(result).toMatchObject({ delivered: 2, duplicate: false });
    expect(deps.notifier.framesFor('ada-1')).toEqual([expected]);
    expect(deps.notifier.framesFor('bob-1')).toEqual([expected]);
  });

  it('send skips the sending connection but reaches the same user’s other connection', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenConnected(deps, 'bob-1', { name: 'Bob' });
    deps.notifier.clear();

    await sendChat(deps, { connectionId: 'ada-1', text: 'quiet', echoToSender: false });

    expect(deps.notifier.framesFor('ada-1')).toEqual([]);
    expect(deps.notifier.framesOfType('ada-2', 'chat').map((frame) => frame.message)).toEqual(['quiet']);
    expect(deps.notifier.framesOfType('bob-1', 'chat').map((frame) => frame.message)).toEqual(['quiet']);
  });

  it.each(['', '   ', '\n\t '])('refuses the empty text %j with invalid_frame and stores nothing', async (text) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    const attempt = sendChat(deps, { connectionId: 'ada-1', text, echoToSender: true });

    await expect(attempt).rejects.toBeInstanceOf(InvalidFrameError);
    expect(await deps.messages.latestSeq(CHAT_ROOM)).toBe(0);
  });

  it('accepts 2,000 characters and refuses 2,001 with too_large', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    const accepted = await sendChat(deps, { connectionId: 'ada-1', text: 'x'.repeat(2000), echoToSender: true });
    const refused = sendChat(deps, { connectionId: 'ada-1', text: 'x'.repeat(2001), echoToSender: true });

    expect(accepted.delivered).toBe(1);
    await expect(refused).rejects.toBeInstanceOf(TooLargeError);
    expect(await deps.messages.latestSeq(CHAT_ROOM)).toBe(1);
  });

  it('stores and delivers a repeated id from the same user once, even from another tab', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1');
    await givenSecondTab(deps, 'ada-2', ada);
    await givenConnected(deps, 'bob-1');
    await sendChat(deps, { connectionId: 'ada-1', text: 'once', id: 'm1', echoToSender: true });
    deps.notifier.clear();

    const repeat = await sendChat(deps, { connectionId: 'ada-2', text: 'once', id: 'm1', echoToSender: true });

    expect(repeat).toEqual({ delivered: 0, gone: 0, failed: 0, queuedJobs: 0, duplicate: true });
    expect(deps.notifier.sent).toEqual([]);
    expect(await deps.messages.latestSeq(CHAT_ROOM)).toBe(1);
  });
});

describe('chatHistory', () => {
  it('returns the newest 50 messages by default, newest last', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    await givenChatMessages(deps, 'ada-1', 60);

    const { messages: history, before } = await chatHistory(deps, { connectionId: 'ada-1' });

    expect(before).toBeUndefined();
    expect(history).toHaveLength(50);
    expect(history[0]?.seq).toBe(11);
    expect(history.at(-1)).toMatchObject({ type: 'chat', seq: 60, message: 'line 60' });
  });

  it('pages back with limit and before', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    await givenChatMessages(deps, 'ada-1', 10);

    const { messages: newest } = await chatHistory(deps, { connectionId: 'ada-1', limit: 4 });
    const { messages: older } = await chatHistory(deps, { connectionId: 'ada-1', limit: 4, before: newest[0]?.seq });
    const { messages: oldest } = await chatHistory(deps, { connectionId: 'ada-1', limit: 4, before: older[0]?.seq });

    expect(newest.map((frame) => frame.seq)).toEqual([7, 8, 9, 10]);
    expect(older.map((frame) => frame.seq)).toEqual([3, 4, 5, 6]);
    expect(oldest.map((frame) => frame.seq)).toEqual([1, 2]);
  });

  it('is empty for an empty room', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    expect(await chatHistory(deps, { connectionId: 'ada-1', limit: 10 })).toEqual({ room: 'lobby', messages: [] });
  });

  it.each([0, 201, -1, 1.5, Number.NaN])('refuses limit %p with invalid_frame', async (limit) => {
    const deps = createMemoryDependencies();

    await expect(chatHistory(deps, { connectionId: 'ada-1', limit })).rejects.toBeInstanceOf(InvalidFrameError);
  });

  it.each([1, 200])('accepts limit %p', async (limit) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');

    await expect(chatHistory(deps, { connectionId: 'ada-1', limit })).resolves.toEqual({ room: 'lobby', messages: [] });
  });

  it('answers history over messages stored before the text rule, whose control characters serialise six times larger', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    for (let index = 1; index <= 11; index += 1) {
      await deps.messages.append(CHAT_ROOM, {
        id: `old${index}`,
        payload: '\u0007'.repeat(1999),
        from: { userId: 'u', name: 'Old' },
        sentAt: new Date(0).toISOString(),
        publisher: 'u',
      });
    }

    const newest = await chatHistory(deps, { connectionId: 'ada-1', limit: 20 });
    const rest = await chatHistory(deps, { connectionId: 'ada-1', limit: 20, before: newest.before });

    expect(Buffer.byteLength(JSON.stringify({ type: 'history', ...newest }))).toBeLessThanOrEqual(120 * 1024);
    expect([...rest.messages, ...newest.messages].map((message) => message.seq)).toEqual(
      Array.from({ length: 11 }, (_, index) => index + 1),
    );
  });

  it('keeps the reply under 120 KB: the newest messages that fit, and the `before` of the rest', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    for (let index = 1; index <= 30; index += 1) {
      await deps.messages.append(CHAT_ROOM, {
        id: `m${index}`,
        payload: '😀'.repeat(2000),
        from: { userId: 'u', name: 'Ada' },
        sentAt: new Date(0).toISOString(),
        publisher: 'u',
      });
    }

    const newest = await chatHistory(deps, { connectionId: 'ada-1', limit: 200 });
    const older = await chatHistory(deps, { connectionId: 'ada-1', limit: 200, before: newest.before });

    expect(Buffer.byteLength(JSON.stringify({ type: 'history', ...newest }))).toBeLessThanOrEqual(120 * 1024);
    expect(newest.messages.length).toBeLessThan(30);
    expect(newest.before).toBe(newest.messages[0]?.seq);
    expect(newest.messages.at(-1)?.seq).toBe(30);
    expect(older.messages.at(-1)?.seq).toBe(Number(newest.before) - 1);
  });
});

describe('whoIsHere', () => {
  it('names a user by their newest connection, as after a reconnect under a new name whose old tab is still open', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'guest' });
    deps.clock.advance(1000);
    const token = await deps.tokens.issue({ userId: ada.user.userId, issuedAt: deps.clock.now() });
    await givenConnected(deps, 'ada-2', { token, name: 'Ada' });

    expect((await whoIsHere(deps)).users).toEqual([{ userId: ada.user.userId, name: 'Ada', connections: 2 }]);
  });

  it('lists each user in the room once with how many connections they have open', async () => {
    const deps = createMemoryDependencies();
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenSecondTab(deps, 'ada-3', ada);
    const bob = await givenConnected(deps, 'bob-1', { name: 'Bob' });

    const users = await whoIsHere(deps);

    expect(users).toEqual({
      room: 'lobby',
      users: [
        { userId: ada.user.userId, name: 'Ada', connections: 3 },
        { userId: bob.user.userId, name: 'Bob', connections: 1 },
      ],
    });
  });

  it('counts across subscriber pages and forgets closed connections', async () => {
    const deps = createMemoryDependencies({ pageSize: 2 });
    const ada = await givenConnected(deps, 'ada-1', { name: 'Ada' });
    await givenSecondTab(deps, 'ada-2', ada);
    await givenSecondTab(deps, 'ada-3', ada);
    await deps.connections.remove('ada-2');

    const users = await whoIsHere(deps);

    expect(users).toEqual({ room: 'lobby', users: [{ userId: ada.user.userId, name: 'Ada', connections: 2 }] });
  });

  it('pages 100 connections at a time with a cursor that reaches everyone once', async () => {
    const deps = createMemoryDependencies();
    for (let index = 0; index < 250; index += 1) await givenConnected(deps, `c${index}`, { name: `user ${index}` });

    const first = await whoIsHere(deps);
    const second = await whoIsHere(deps, { cursor: first.cursor });
    const third = await whoIsHere(deps, { cursor: second.cursor });
    const names = [first, second, third].flatMap((page) => page.users.map((user) => user.name));

    expect([first.users.length, second.users.length, third.users.length]).toEqual([100, 100, 50]);
    expect(third.cursor).toBeUndefined();
    expect(new Set(names).size).toBe(250);
  });

  it('continues after a connection that has left since its cursor was given', async () => {
    const deps = createMemoryDependencies();
    for (let index = 0; index < 150; index += 1) await givenConnected(deps, `c${index}`, { name: `user ${index}` });
    const first = await whoIsHere(deps);
    await deps.connections.remove('c99');

    const second = await whoIsHere(deps, { cursor: first.cursor });

    expect(second.users.map((user) => user.name)).toEqual(
      Array.from({ length: 50 }, (_, index) => `user ${index + 100}`),
    );
  });

  it('refuses the cursor of one room in another', async () => {
    const deps = createMemoryDependencies();
    for (let index = 0; index < 101; index += 1) await givenConnected(deps, `c${index}`);
    const { cursor } = await whoIsHere(deps);

    await expect(whoIsHere(deps, { cursor, room: 'topic:news' })).rejects.toBeInstanceOf(InvalidFrameError);
  });

  it.each(['', 'garbage', 'v1.chat.', 'v1.topic:other.c1', 'v2.chat.c1', 'v1.chat.CONN#c1', 'v1.chat.c1\n'])(
    'refuses the cursor %j with invalid_frame',
    async (cursor) => {
      const deps = createMemoryDependencies();

      await expect(whoIsHere(deps, { cursor })).rejects.toBeInstanceOf(InvalidFrameError);
    },
  );
});
