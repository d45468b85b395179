/**
 * The machine's floor: a plain `ws` server that broadcasts every chat frame to every client, with no
 * Lambda, DynamoDB or `@connections` in between. Started by the capacity section in its own process,
 * like the stack, so that both are measured the same way.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = createServer();
const wss = new WebSocketServer({ server, maxPayload: 32 * 1024 });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    let text: unknown;
    try {
      text = (JSON.parse(String(data)) as { message?: unknown }).message;
    } catch {
      return;
    }
    const frame = JSON.stringify({ type: 'chat', message: text, sentAt: new Date().toISOString() });
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(frame);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ ready: { wsUrl: `ws://localhost:${port}` } });
});
process.on('message', (message) => {
  if ((message as { cmd?: string }).cmd === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
