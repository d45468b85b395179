/**
 * What one `@connections` post costs the caller's CPU: the AWS SDK's `PostToConnectionCommand` against
 * `ConnectionsApi` (src/adapters/apigateway/connections-api.ts, what the notifier sends with), side by side in
 * one run, rounds alternating. The endpoint is a plain HTTP server in a child process that answers 200, so
 * the CPU measured (`process.cpuUsage()` of this process) is the client's alone: building, signing and
 * sending the request and reading the answer.
 *
 *   npx tsx bench/connections-call-cost.ts [rounds=5] [calls=5000] [inFlight=50]
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConnectionsApi } from '../src/adapters/apigateway/connections-api';
import { median } from './lib/stats';
import { type Table, toMarkdown, toText } from './lib/table';

const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };
const REGION = 'eu-west-1';
/** A presence frame of a busy interval: what a fan-out sends most. */
const FRAME = JSON.stringify({
  type: 'presence',
  room: 'lobby',
  tick: 42,
  count: 180,
  joined: Array.from({ length: 8 }, (_, i) => ({ userId: `u-${i}-0123456789abcdef`, name: `Guest ${i}` })),
});

function serve(): void {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end());
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

async function measure(calls: number, inFlight: number, send: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) await send(next++);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

async function main(): Promise<void> {
  const [rounds = 5, calls = 5000, inFlight = 50] = process.argv.slice(2).map(Number);
  const child = fork(__filename, ['--serve'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const endpoint = `http://127.0.0.1:${port}/dev`;
  const agent = { keepAlive: true, maxSockets: inFlight };
  const sdk = new ApiGatewayManagementApiClient({
    region: REGION,
    endpoint,
    credentials: CREDENTIALS,
    requestHandler: { httpAgent: agent, httpsAgent: agent },
  });
  const api = new ConnectionsApi({ endpoint, region: REGION, credentials: CREDENTIALS, maxSockets: inFlight });
  const clients: Array<[string, (i: number) => Promise<void>]> = [
    [
      'SDK PostToConnectionCommand',
      async (i) => {
        await sdk.send(new PostToConnectionCommand({ ConnectionId: `c${i}=`, Data: FRAME }));
      },
    ],
    [
      'ConnectionsApi.post',
      async (i) => {
        const { status } = await api.post(`c${i}=`, FRAME);
        if (status !== 200) throw new Error(`answered ${status}`);
      },
    ],
  ];
  // A warm-up round each, not counted: both reach their steady state (JIT, sockets, signing key cache).
  for (const [, send] of clients) await measure(Math.min(calls, 1000), inFlight, send);
  const samples = new Map<string, number[]>(clients.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, send] of round % 2 === 0 ? clients : [...clients].reverse()) {
      samples.get(name)?.push(await measure(calls, inFlight, send));
    }
  }
  child.kill();
  const sdkUs = median(samples.get(clients[0]![0]) ?? []);
  const table: Table = {
    title: '@connections post: client CPU per call, SDK command against ConnectionsApi (same run)',
    headers: ['client', 'CPU per call (median of rounds)', 'rounds', 'vs SDK'],
    rows: clients.map(([name]) => {
      const us = median(samples.get(name) ?? []);
      return [
        name,
        `${us.toFixed(0)} µs`,
        (samples.get(name) ?? []).map((v) => v.toFixed(0)).join(', '),
        `${(us / sdkUs).toFixed(2)}x`,
      ];
    }),
    notes: [
      `${rounds} rounds of ${calls} posts, ${inFlight} in flight, alternating; the endpoint is a plain HTTP server in another process.`,
      `Command: npx tsx bench/connections-call-cost.ts ${rounds} ${calls} ${inFlight}`,
    ],
  };
  console.log(toText(table));
  console.log(`\n${toMarkdown(table)}`);
}

if (process.argv[2] === '--serve') serve();
else void main();
