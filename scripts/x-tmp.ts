import { startE2eStack } from '../tests/e2e/support/e2e-stack';
import { startLocalStack } from '../src/local/stack';
import WebSocket from 'ws';
(async () => {
  const stack = await startLocalStack({ wsPort: 0, httpPort: 0, webPort: null, dynamoPort: 0, dataDir: null, quiet: false, verbose: false,
    parameters: { FanOutDirectMax: '2', FanOutMaxShards: '2', FanOutSubscribersPerJob: '2' } });
  const got: string[] = [];
  const socks = await Promise.all(Array.from({ length: 5 }, () => new Promise<WebSocket>((res) => { const s = new WebSocket(`${stack.wsUrl}?topicName=big`); s.on('message', (d) => got.push(String(d))); s.on('open', () => res(s)); })));
  await new Promise((r) => setTimeout(r, 1000));
  socks[0]!.send(JSON.stringify({ action: 'publish', topic: 'big', message: 1 }));
  await new Promise((r) => setTimeout(r, 4000));
  console.log(got.filter((g) => g.includes('"message"')).length, got.slice(-3));
  for (const s of socks) s.close();
  await stack.stop();
})();
