import { join } from 'node:path';
import type { LocalStack } from '../../packages/local/src/stack';
import { probe } from './fixtures/handlers/probe';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';
import { openSocket, type TestSocket } from './support/test-socket';

interface SlowRouteReport {
  routeKey: string;
  connectionId: string;
  mostAtOnce: number;
}

const BOUND = 4;
/** 100 invocations of 50 ms, 4 at a time: the last leaves the queue after about 1.2 s, past the 1 s Timeout. */
const CLIENTS = 100;

let stack: LocalStack & { lines: string[] };
const reports: SlowRouteReport[] = [];
const record = (report: SlowRouteReport): void => void reports.push(report);

beforeAll(async () => {
  probe.on('slow-route', record);
  stack = await startFixtureStack({
    templatePath: join(FIXTURES, 'burst-template.yaml'),
    concurrencyPerFunction: BOUND,
  });
});

afterAll(async () => {
  probe.off('slow-route', record);
  await stack.stop();
});

const reportsOf = (routeKey: string): SlowRouteReport[] => reports.filter((r) => r.routeKey === routeKey);

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a burst of connects and disconnects larger than the concurrency bound', () => {
  let sockets: TestSocket[];

  it('accepts every connect: each 1 s Timeout counts from when its invocation leaves the queue', async () => {
    const started = Date.now();

    const opened = await Promise.allSettled(Array.from({ length: CLIENTS }, () => openSocket(stack.wsUrl)));

    sockets = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(Math.max(...reportsOf('$connect').map((r) => r.mostAtOnce))).toBe(BOUND);
    expect(stack.lines.filter((line) => line.includes('failed'))).toEqual([]);
  });

  it('runs every disconnect when all the clients close at once', async () => {
    for (const socket of sockets) socket.ws.close(1000);

    await waitFor(() => reportsOf('$disconnect').length === CLIENTS, 5000);

    const connected = new Set(reportsOf('$connect').map((r) => r.connectionId));
    expect(new Set(reportsOf('$disconnect').map((r) => r.connectionId))).toEqual(connected);
    expect(Math.max(...reportsOf('$disconnect').map((r) => r.mostAtOnce))).toBe(BOUND);
    expect(stack.lines.filter((line) => line.includes('failed'))).toEqual([]);
  });
});
