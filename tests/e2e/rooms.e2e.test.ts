import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

/**
 * Named rooms through the local gateway with real clients: join and leave, chat, history and who per
 * room, the rooms cap and the per-room chat budget, set through the template's parameters. Presence
 * frames are the presence worker's and are not asserted here.
 */
let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack({}, { MaxRoomsPerConnection: '2', ChatRatePerSecond: '1', ChatBurst: '4' });
});
afterAll(() => e2e.stop());

const chat = (text: string) => (frame: Frame) => frame.type === 'chat' && frame.message === text;
const isError = (code: string) => (frame: Frame) => frame.type === 'error' && frame.code === code;
/** The reply to a request: a frame of one of `types`, or an error (chat of other rooms may arrive meanwhile). */
const replyOf =
  (...types: string[]) =>
  (frame: Frame) =>
    types.includes(String(frame.type)) || frame.type === 'error';

async function connected(name: string): Promise<TestClient> {
  const client = await e2e.connect({ name });
  await client.session();
  return client;
}

async function join(client: TestClient, room: string, name?: string): Promise<Frame> {
  return client.request({ action: 'join', room, ...(name ? { name } : {}) }, replyOf('joined'));
}

/** A round trip after which every frame sent to `client` before it has arrived. */
async function settled(client: TestClient): Promise<void> {
  await client.request({ action: 'ping' }, (frame) => frame.type === 'pong');
}

describe('named rooms through the local gateway', () => {
  it('chats in a joined room: its members get it under their room names, the default room does not', async () => {
    const ada = await connected('Ada');
    const bob = await connected('Bob');
    const eve = await connected('Eve');

    expect(await join(ada, 'kitchen', 'Chef')).toEqual({ type: 'joined', room: 'kitchen', name: 'Chef' });
    expect(await join(bob, 'kitchen')).toEqual({ type: 'joined', room: 'kitchen', name: 'Bob' });
    ada.send({ action: 'sendmessage', message: 'soup is ready', room: 'kitchen', id: 'k-1' });
    const [toAda, toBob] = await Promise.all([ada.next(chat('soup is ready')), bob.next(chat('soup is ready'))]);
    bob.send({ action: 'sendmessage', message: 'in the lobby' });
    const toEve = await eve.next(chat('in the lobby'));
    await settled(eve);

    expect(toAda).toEqual(toBob);
    expect(toBob).toMatchObject({ room: 'kitchen', id: 'k-1', seq: 1, from: { name: 'Chef' } });
    expect(toEve).toMatchObject({ room: 'lobby', from: { name: 'Bob' } });
    expect(eve.frames.filter(chat('soup is ready'))).toEqual([]);
    expect((await e2e.partition('MSG#room:kitchen')).map((item) => item.id)).toEqual(['k-1']);
  });

  it('answers history and who per room, and refuses them, and chat, to a connection not in the room', async () => {
    const ada = await connected('Ada');
    const bob = await connected('Bob');
    const eve = await connected('Eve');
    await join(ada, 'pantry', 'Cook');
    await join(bob, 'pantry');
    for (const text of ['flour', 'sugar'])
      await ada.request({ action: 'sendmessage', message: text, room: 'pantry' }, chat(text));
    await ada.request({ action: 'sendmessage', message: 'lobby chatter' }, chat('lobby chatter'));

    const history = await bob.request({ action: 'history', room: 'pantry' }, replyOf('history'));
    const who = await bob.request({ action: 'who', room: 'pantry' }, replyOf('who'));
    const refused = [];
    for (const frame of [
      { action: 'history', room: 'pantry' },
      { action: 'who', room: 'pantry' },
      { action: 'sendmessage', message: 'let me in', room: 'pantry' },
      { action: 'send', message: 'let me in', room: 'pantry' },
      { action: 'leave', room: 'pantry' },
    ]) {
      refused.push(await eve.request(frame, replyOf()));
    }

    expect(history).toMatchObject({ type: 'history', room: 'pantry' });
    expect((history.messages as Frame[]).map((frame) => [frame.room, frame.message])).toEqual([
      ['pantry', 'flour'],
      ['pantry', 'sugar'],
    ]);
    expect(who).toMatchObject({ type: 'who', room: 'pantry' });
    expect((who.users as Frame[]).map((user) => user.name).sort()).toEqual(['Bob', 'Cook']);
    expect(refused.map((frame) => [frame.code, frame.action])).toEqual([
      ['not_in_room', 'history'],
      ['not_in_room', 'who'],
      ['not_in_room', 'sendmessage'],
      ['not_in_room', 'send'],
      ['not_in_room', 'leave'],
    ]);
    expect(await e2e.partition('MSG#room:pantry')).toHaveLength(2);
  });

  it('leaves a room: left, no more of its chat, not_in_room after, and a free place under the cap', async () => {
    const ada = await connected('Ada');
    const bob = await connected('Bob');
    await join(ada, 'hall');
    await join(ada, 'porch');
    await join(bob, 'hall');

    const full = await join(ada, 'attic');
    const left = await ada.request({ action: 'leave', room: 'hall' }, replyOf('left'));
    await bob.request({ action: 'sendmessage', message: 'anyone?', room: 'hall' }, chat('anyone?'));
    const afterLeave = await ada.request({ action: 'sendmessage', message: 'me', room: 'hall' }, replyOf());
    const again = await ada.request({ action: 'leave', room: 'hall' }, replyOf('left'));
    const attic = await join(ada, 'attic');
    await settled(ada);

    expect(full).toMatchObject({ type: 'error', code: 'too_many_rooms', action: 'join' });
    expect(left).toEqual({ type: 'left', room: 'hall' });
    expect(ada.frames.filter(chat('anyone?'))).toEqual([]);
    expect(afterLeave).toMatchObject({ type: 'error', code: 'not_in_room' });
    expect(again).toMatchObject({ type: 'error', code: 'not_in_room' });
    expect(attic).toEqual({ type: 'joined', room: 'attic', name: 'Ada' });
    expect((await e2e.partition('SUBS#room:hall')).map((item) => item.connectionId)).toEqual([
      (await bob.session()).connectionId,
    ]);
  });

  it('counts no place for the default room nor for a room joined again, which renames', async () => {
    const ada = await connected('Ada');
    await join(ada, 'one');
    await join(ada, 'two');

    const lobby = await join(ada, 'lobby', 'Lobbyist');
    const renamed = await join(ada, 'one', 'Uno');
    const who = await ada.request({ action: 'who', room: 'one' }, replyOf('who'));

    expect(lobby).toEqual({ type: 'joined', room: 'lobby', name: 'Lobbyist' });
    expect(renamed).toEqual({ type: 'joined', room: 'one', name: 'Uno' });
    expect((who.users as Frame[]).map((user) => user.name)).toEqual(['Uno']);
  });

  it('refuses bad rooms and names with invalid_frame and keeps the connection open', async () => {
    const ada = await connected('Ada');
    const cases: unknown[] = [
      { action: 'join' },
      { action: 'join', room: 'bad room!' },
      { action: 'join', room: 7 },
      { action: 'join', room: 'x'.repeat(129) },
      { action: 'join', room: 'kitchen', name: '   ' },
      { action: 'join', room: 'kitchen', name: 'n'.repeat(41) },
      { action: 'join', room: 'kitchen', name: 'rtl\u202e' },
      { action: 'leave', room: '' },
      { action: 'sendmessage', message: 'hi', room: 'no spaces please' },
      { action: 'history', room: ['lobby'] },
      { action: 'who', room: 'é' },
    ];

    const codes = [];
    for (const frame of cases) codes.push((await ada.request(frame, replyOf())).code);

    expect(codes).toEqual(cases.map(() => 'invalid_frame'));
    await expect(ada.request({ action: 'ping' }, (frame) => frame.type === 'pong')).resolves.toBeDefined();
  });

  it('keeps the chat budget per room: a spent room leaves the default room free, and bad rooms draw nothing', async () => {
    const ada = await connected('Ada');
    await join(ada, 'busy');

    // Refused by validation (a frame that reached the budgets would get not_in_room for this room).
    for (let n = 0; n < 10; n += 1) ada.send({ action: 'sendmessage', message: `bad ${n}`, room: 'bad room' });
    await ada.nextN(isError('invalid_frame'), 10);
    const started = Date.now();
    for (let n = 1; n <= 8; n += 1)
      ada.send({ action: 'sendmessage', message: `busy ${n}`, room: 'busy', id: `b-${n}` });
    await ada.nextN((frame) => (frame.type === 'chat' && frame.room === 'busy') || isError('rate_limited')(frame), 8);
    const refilled = Math.ceil((Date.now() - started) / 1000); // 1 a second
    const lobby = await ada.request(
      { action: 'sendmessage', message: 'still here' },
      (frame) => chat('still here')(frame) || frame.type === 'error',
    );

    const delivered = ada.frames.filter((frame) => frame.type === 'chat' && frame.room === 'busy').length;
    expect(delivered).toBeGreaterThanOrEqual(4);
    expect(delivered).toBeLessThanOrEqual(4 + refilled);
    expect(ada.frames.filter(isError('rate_limited'))).toHaveLength(8 - delivered);
    expect(lobby).toMatchObject({ type: 'chat', room: 'lobby', message: 'still here' });
  });

  it('refills nothing for leaving a spent room and joining it again', async () => {
    const ada = await connected('Ada');
    await join(ada, 'revolving');
    const inRoom = (frame: Frame) =>
      (frame.type === 'chat' && frame.room === 'revolving') || isError('rate_limited')(frame);
    const started = Date.now();

    for (let n = 1; n <= 6; n += 1) ada.send({ action: 'sendmessage', message: `first ${n}`, room: 'revolving' });
    await ada.nextN(inRoom, 6);
    await ada.request({ action: 'leave', room: 'revolving' }, replyOf('left'));
    await join(ada, 'revolving');
    const from = ada.frames.length;
    for (let n = 1; n <= 6; n += 1) ada.send({ action: 'sendmessage', message: `again ${n}`, room: 'revolving' });
    await ada.nextN(inRoom, 6, 5000, from);
    const refilled = Math.ceil((Date.now() - started) / 1000); // 1 a second

    // A rejoin that refilled the bucket would let a second burst of 4 through.
    const delivered = ada.frames.filter((frame) => frame.type === 'chat' && frame.room === 'revolving').length;
    expect(delivered).toBeGreaterThanOrEqual(4);
    expect(delivered).toBeLessThanOrEqual(4 + refilled);
  });
});
