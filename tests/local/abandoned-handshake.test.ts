import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { type E2eStack, startE2eStack } from '../e2e/support/e2e-stack';

let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack();
});
afterAll(() => e2e.stop());

/** A raw WebSocket upgrade request that closes its TCP socket (FIN) `afterMs` after sending it. */
function abandonHandshake(wsUrl: string, query: string, afterMs: number): Promise<void> {
  const { hostname, port } = new URL(wsUrl);
  return new Promise((resolve) => {
    const socket: Socket = connectTcp(Number(port), hostname, () => {
      socket.write(
        `GET /?${query} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      setTimeout(() => socket.end(), afterMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a handshake the client abandons while $connect runs', () => {
  it('runs $disconnect, so no connection record, subscription or who listing remains', async () => {
    const topic = 'abandoned';
    const ghosts = Array.from({ length: 12 }, (_, i) => i);

    await Promise.all(
      ghosts.map((i) => abandonHandshake(e2e.stack.wsUrl, `topicName=${topic}&name=Ghost${i}`, i % 3 === 0 ? 0 : 5)),
    );
    const observer = await e2e.connect({ name: 'Observer' });
    const ghostsListed = async (): Promise<string[]> => {
      const reply = await observer.request({ action: 'who' }, (frame) => frame.type === 'who');
      return (reply.users as Array<{ name: string }>)
        .map((user) => user.name)
        .filter((name) => name.startsWith('Ghost'));
    };

    await waitUntil(
      async () => (await e2e.partition(`SUBS#topic:${topic}`)).length === 0 && (await ghostsListed()).length === 0,
    ).catch(() => undefined);
    const subscribers = await e2e.partition(`SUBS#topic:${topic}`);
    const connectionRecords = await Promise.all(
      subscribers.map((item) => e2e.partition(`CONN#${String(item.sk).replace(/^CONN#/, '')}`)),
    );

    expect(subscribers).toEqual([]);
    expect(connectionRecords.flat()).toEqual([]);
    expect(await ghostsListed()).toEqual([]);
  });
});
