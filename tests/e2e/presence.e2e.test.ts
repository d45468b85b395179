import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack({ CHAT_RATE_PER_SECOND: '10', CHAT_BURST: '20' });
});
afterAll(() => e2e.stop());

const chats = (client: TestClient) => client.ofType('chat');
/** The presence frames a client got that list `userId` among those who joined (or left). */
const presence = (client: TestClient, event: 'join' | 'leave', userId: unknown) =>
  client.frames.filter(
    (frame) =>
      frame.type === 'presence' &&
      ((event === 'join' ? frame.joined : frame.left) as Frame[] | undefined)?.some((user) => user.userId === userId),
  );
async function who(client: TestClient): Promise<Array<{ userId: string; connections: number }>> {
  const reply = await client.request({ action: 'who' }, (frame) => frame.type === 'who');
  return reply.users as Array<{ userId: string; connections: number }>;
}
async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('chat people would use', () => {
  it('delivers every message of three users once, in seq order, to the right people; a late joiner gets the history', async () => {
    const users = await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => e2e.connect({ name })));
    for (const [i, user] of users.entries()) {
      for (let n = 1; n <= 3; n += 1) {
        user.send({ action: i === 2 ? 'send' : 'sendmessage', message: `${i}-${n}`, id: `u${i}-m${n}` });
        await users[0]!.next((frame) => frame.type === 'chat' && frame.message === `${i}-${n}`);
      }
    }
    await Promise.all(users.map((user) => user.nextN((frame) => frame.type === 'chat', user === users[2] ? 6 : 9)));
    const late = await e2e.connect({ name: 'Late' });
    const history = await late.request({ action: 'history', limit: 9 }, (frame) => frame.type === 'history');
    const page = await late.request(
      { action: 'history', limit: 3, before: Number((history.messages as Frame[])[3]?.seq) },
      (frame) => frame.type === 'history',
    );

    for (const user of users) {
      const seqs = chats(user).map((frame) => Number(frame.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(chats(user).map((frame) => frame.id)).size).toBe(chats(user).length);
    }
    expect(chats(users[0]!)).toHaveLength(9);
    expect(chats(users[2]!).map((frame) => frame.message)).not.toContain('2-1');
    expect((history.messages as Frame[]).map((frame) => frame.message)).toEqual(
      chats(users[0]!).map((frame) => frame.message),
    );
    expect((page.messages as Frame[]).map((frame) => frame.message)).toEqual(
      chats(users[0]!)
        .slice(0, 3)
        .map((frame) => frame.message),
    );
  });

  it('never stores or delivers a resent id twice', async () => {
    const sender = await e2e.connect();
    const reader = await e2e.connect();

    sender.send({ action: 'sendmessage', message: 'only once', id: 'resend-1' });
    sender.send({ action: 'sendmessage', message: 'only once', id: 'resend-1' });
    sender.send({ action: 'sendmessage', message: 'marker', id: 'resend-2' });
    await reader.next((frame) => frame.type === 'chat' && frame.message === 'marker');
    await reader.session();

    expect(chats(reader).filter((frame) => frame.message === 'only once')).toHaveLength(1);
  });

  it('announces a join and a leave through the presence queue, with the room, a rising tick and the count', async () => {
    const watcher = await e2e.connect({ name: 'Watcher' });
    await watcher.session();
    const guest = await e2e.connect({ name: 'Guest' });
    const { userId } = await guest.session();

    await waitUntil(() => presence(watcher, 'join', userId).length === 1);
    guest.close();
    await guest.closed();
    await waitUntil(() => presence(watcher, 'leave', userId).length === 1);

    const [joined] = presence(watcher, 'join', userId);
    const [left] = presence(watcher, 'leave', userId);
    // Other tests' users may arrive or leave in the same interval: the frames carry them too.
    expect(joined).toMatchObject({
      room: 'lobby',
      joined: expect.arrayContaining([{ userId, name: 'Guest' }]),
      count: expect.any(Number),
    });
    expect(left).toMatchObject({ room: 'lobby', left: expect.arrayContaining([{ userId, name: 'Guest' }]) });
    expect(Number(left?.tick)).toBeGreaterThan(Number(joined?.tick));
    // The count includes users this member is never told of (itself, whose join may come in a later frame):
    // its arithmetic is the domain tests' concern; here, the room is not empty while the watcher is in it.
    expect(Number(left?.count)).toBeGreaterThanOrEqual(1);
    // The presence worker recorded the join and then the leave: what the room was told is in its ledger.
    expect((await e2e.partition('PRESENCE#lobby')).map((item) => item.sk)).not.toContain(`USER#${userId}`);
    expect(presence(guest, 'join', userId)).toEqual([]);
  });

  it('coalesces a burst of joins into fewer frames than joins, each member hearing of every one', async () => {
    const watcher = await e2e.connect({ name: 'Watcher' });
    await watcher.session();
    const from = watcher.frames.length;

    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => e2e.connect({ name: `Burst ${i}` })));
    const ids = await Promise.all(burst.map(async (client) => (await client.session()).userId));
    await waitUntil(() => ids.every((id) => presence(watcher, 'join', id).length === 1), 10_000);

    const frames = watcher.frames.slice(from).filter((frame) => frame.type === 'presence');
    expect(frames.length).toBeLessThan(ids.length);
    const ticks = frames.map((frame) => Number(frame.tick));
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it('joins the ?room= room at connect and announces presence there, to that room only', async () => {
    const inKitchen = await e2e.connect({ name: 'Cook', room: 'kitchen' });
    await inKitchen.session();
    const lobbyOnly = await e2e.connect({ name: 'Lobbyist' });
    await lobbyOnly.session();
    const guest = await e2e.connect({ name: 'Guest', room: 'kitchen' });
    const { userId } = await guest.session();

    await waitUntil(() => presence(inKitchen, 'join', userId).length === 2);

    expect(
      presence(inKitchen, 'join', userId)
        .map((frame) => frame.room)
        .sort(),
    ).toEqual(['kitchen', 'lobby']);
    await waitUntil(() => presence(lobbyOnly, 'join', userId).length === 1);
    expect(presence(lobbyOnly, 'join', userId).map((frame) => frame.room)).toEqual(['lobby']);
  });

  it('refuses a ?room= outside the room name rule with 400', async () => {
    await expect(e2e.connect({ room: 'two words' })).rejects.toThrow(/400/);
  });

  it('announces join and leave once per user even with two tabs, and who follows joins, leaves and a killed client', async () => {
    const watcher = await e2e.connect({ name: 'Watcher' });
    const tab1 = await e2e.connect({ name: 'Tabby' });
    const { userId, token } = await tab1.session();
    const tab2 = await e2e.connect({ name: 'Tabby', token: String(token) });
    await tab2.session();
    await waitUntil(() => presence(watcher, 'join', userId).length === 1);
    expect((await who(watcher)).find((user) => user.userId === userId)?.connections).toBe(2);

    tab1.close();
    await tab1.closed();
    await waitUntil(async () => (await who(watcher)).find((user) => user.userId === userId)?.connections === 1);
    expect(presence(watcher, 'leave', userId)).toHaveLength(0);

    tab2.kill();
    await waitUntil(() => presence(watcher, 'leave', userId).length === 1);
    expect((await who(watcher)).map((user) => user.userId)).not.toContain(userId);
    expect(presence(watcher, 'join', userId)).toHaveLength(1);
    expect(presence(tab2, 'join', userId)).toHaveLength(0);
  });

  it('limits a flooding client while the others keep chatting', async () => {
    const flooder = await e2e.connect({ name: 'Flood' });
    const calm = await e2e.connect({ name: 'Calm' });
    const reader = await e2e.connect({ name: 'Reader' });

    for (let i = 0; i < 60; i += 1) flooder.send({ action: 'sendmessage', message: `flood ${i}` });
    await flooder.nextN(
      (frame) => frame.type === 'error' || (frame.type === 'chat' && String(frame.message).startsWith('flood')),
      60,
      15_000,
    );
    calm.send({ action: 'sendmessage', message: 'still here' });
    await reader.next((frame) => frame.type === 'chat' && frame.message === 'still here');

    const limited = flooder.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited');
    const delivered = reader.frames.filter(
      (frame) => frame.type === 'chat' && String(frame.message).startsWith('flood'),
    );
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(delivered.length).toBe(60 - limited.length);
    expect(delivered.length).toBeLessThanOrEqual(30);
  });

  it('records IP, user agent, times and duration of a closed connection in the session history', async () => {
    const client = await e2e.connect();
    const { userId } = await client.session();
    client.close();
    await client.closed();

    let sessions: Frame[] = [];
    await waitUntil(async () => {
      const response = await fetch(`${e2e.stack.httpUrl}/users/${String(userId)}/sessions`);
      sessions = ((await response.json()) as { sessions: Frame[] }).sessions;
      return sessions.length === 1;
    });

    const [session] = sessions;
    expect(session).toMatchObject({
      sourceIp: '127.0.0.1',
      userAgent: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(Date.parse(String(session?.disconnectedAt)) - Date.parse(String(session?.connectedAt))).toBe(
      session?.durationMs,
    );
  });

  it('answers ping with pong', async () => {
    const client = await e2e.connect();

    const pong = await client.request({ action: 'ping' }, (frame) => frame.type === 'pong');

    expect(Date.parse(String(pong.at))).not.toBeNaN();
  });
});
