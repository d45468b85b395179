/**
 * The floor of the peer comparison: a plain `ws` server on argv[2]'s port that broadcasts every frame to every
 * client (and answers the text frame `count` with the number of clients it holds), with no Lambda, store or
 * `@connections` in between.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.argv[2]), host: '127.0.0.1', perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const text = String(data);
    if (text === 'count') {
      socket.send(JSON.stringify({ count: wss.clients.size }));
      return;
    }
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
  });
});
wss.on('listening', () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
