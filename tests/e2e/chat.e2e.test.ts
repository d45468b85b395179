import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame } from './support/test-client';

let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack();
});
afterAll(() => e2e.stop());

const chat = (text: string) => (frame: Frame) => frame.type === 'chat' && frame.message === text;

describe('chat through the local gateway', () => {
  it('delivers sendmessage to everyone, the sender included, and send to all but the sender', async () => {
    const ada = await e2e.connect({ name: 'Ada' });
    const bob = await e2e.connect({ name: 'Bob' });

    ada.send({ action: 'sendmessage', message: 'hello all' });
    const [toAda, toBob] = await Promise.all([ada.next(chat('hello all')), bob.next(chat('hello all'))]);
    bob.send({ action: 'send', message: 'not to me' });
    await ada.next(chat('not to me'));
    await bob.session();

    expect(toAda).toEqual(toBob);
    expect(toBob).toMatchObject({ from: { name: 'Ada' }, seq: expect.any(Number), id: expect.any(String) });
    expect(bob.frames.filter(chat('not to me'))).toEqual([]);
  });

  it('answers each bad frame with its typed error and keeps the connection open', async () => {
    const client = await e2e.connect();
    const cases: Array<[unknown, string]> = [
      ['not json', 'invalid_json'],
      ['', 'invalid_json'],
      ['[1,2]', 'invalid_frame'],
      ['42', 'invalid_frame'],
      [{ hello: 'no action' }, 'invalid_frame'],
      [{ action: 'dance' }, 'unknown_action'],
      [{ action: 'sendmessage' }, 'invalid_frame'],
      [{ action: 'sendmessage', message: 7 }, 'invalid_frame'],
      [{ action: 'sendmessage', message: '   ' }, 'invalid_frame'],
      [{ action: 'sendmessage', message: 'x'.repeat(2001) }, 'too_large'],
      [{ action: 'publish', topic: 'bad topic!', message: 1 }, 'invalid_frame'],
      [{ action: 'publish', topic: 'big', message: 'y'.repeat(17_000) }, 'too_large'],
      [{ action: 'history', limit: 500 }, 'invalid_frame'],
      [{ action: 'unsubscribe', topic: 'never' }, 'not_subscribed'],
    ];

    const codes = [];
    for (const [frame, _expected] of cases) {
      codes.push((await client.request(frame, (reply) => reply.type === 'error')).code);
    }

    expect(codes).toEqual(cases.map(([, expected]) => expected));
    const typed = await client.request({ action: 'sendmessage', message: 7 }, (reply) => reply.type === 'error');
    expect(typed.message).toBe('"message": must be a string');
    expect((await client.session()).type).toBe('session');
    expect(client.frames.filter(chat('x'.repeat(2001)))).toEqual([]);
  });

  it('cleans up a client killed without a close frame', async () => {
    const survivor = await e2e.connect({ name: 'Survivor' });
    const doomed = await e2e.connect({ name: 'Doomed' });
    const { connectionId } = await doomed.session();
    expect(await e2e.partition(`CONN#${String(connectionId)}`)).not.toEqual([]);

    doomed.kill();
    survivor.send({ action: 'sendmessage', message: 'anyone there?' });
    await survivor.next(chat('anyone there?'));

    await waitUntil(async () => (await e2e.partition(`CONN#${String(connectionId)}`)).length === 0);
    expect(await e2e.partition(`CONN#${String(connectionId)}`)).toEqual([]);
  });

  it('removes the records of a connection whose $disconnect never ran at the next broadcast', async () => {
    const speaker = await e2e.connect({ name: 'Speaker' });
    const ghost = 'GhostConnId0001=';
    const connectedAt = new Date(Date.now() - 60_000).toISOString();
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await e2e.put({
      pk: `CONN#${ghost}`,
      sk: 'META',
      connectionId: ghost,
      userId: 'ghost-user',
      name: 'Ghost',
      connectedAt,
      resumed: false,
      expiresAt,
    });
    await e2e.put({ pk: `CONN#${ghost}`, sk: 'SUB#chat', channel: 'chat', expiresAt });
    await e2e.put({
      pk: 'SUBS#chat',
      sk: `CONN#${ghost}`,
      connectionId: ghost,
      userId: 'ghost-user',
      name: 'Ghost',
      connectedAt,
      expiresAt,
    });

    await speaker.request({ action: 'sendmessage', message: 'knock knock' }, chat('knock knock'));

    await waitUntil(async () => (await e2e.partition(`CONN#${ghost}`)).length === 0);
    const who = await speaker.request({ action: 'who' }, (frame) => frame.type === 'who');
    expect((who.users as Array<{ userId: string }>).map((user) => user.userId)).not.toContain('ghost-user');
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
