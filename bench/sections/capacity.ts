import { join } from 'node:path';
import { forkTs, rssOf, startChildStack } from '../lib/child-stack';
import { ClientPool, sessionToken } from '../lib/client-pool';
import { int, mb, ms, percentile, sleep } from '../lib/stats';
import type { Table } from '../lib/table';
import { UNLIMITED_RATES } from '../lib/unlimited-rates';

export interface CapacitySettings {
  idleMilestones: number[];
  chatClients: number;
  /** Aggregate chat messages per second, tried in order until one fails. */
  chatRates: number[];
  stepMs: number;
  /** Pause between two steps, for the stack to drain. */
  pauseMs: number;
}

export interface Target {
  name: string;
  wsUrl: string;
  pid: number;
  /** Heap in use after a full GC, where the server can tell (the stack process runs with --expose-gc). */
  heapUsed?: () => Promise<number>;
  stop(): Promise<void>;
}

interface Step {
  rate: number;
  sent: number;
  expected: number;
  received: number;
  errors: number;
  p50: number;
  p95: number;
}

export interface CapacitySummary {
  tables: Table[];
  idleRssAtMax: { switchboard: number; plain: number; count: number };
  chatMax: { switchboard: number; plain: number };
}

const MAX_LATENCY_MS = 1000;

export async function startPlain(): Promise<Target> {
  const { child, ready } = await forkTs(join(__dirname, '..', 'plain-ws-process.ts'), []);
  return {
    name: 'plain ws',
    wsUrl: (ready as { wsUrl: string }).wsUrl,
    pid: child.pid as number,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'stop' });
      await Promise.race([exited, sleep(5000)]);
      child.kill('SIGKILL');
    },
  };
}

export async function startSwitchboard(): Promise<Target> {
  const stack = await startChildStack({ env: UNLIMITED_RATES });
  return {
    name: 'Switchboard',
    wsUrl: stack.wsUrl,
    pid: stack.pid,
    stop: () => stack.stop(),
    heapUsed: async () => (await stack.memory()).heapUsed,
  };
}

/** Idle connections held, with the server process's RSS at each milestone. */
async function idle(
  target: Target,
  milestones: number[],
  query: Record<string, string>,
): Promise<Array<{ count: number; rss: number; heap: number; rate: number; failed: number }>> {
  const pool = new ClientPool();
  const samples = [];
  try {
    await sleep(500);
    const heap = async (): Promise<number> => (target.heapUsed ? target.heapUsed() : Number.NaN);
    samples.push({ count: 0, rss: rssOf(target.pid), heap: await heap(), rate: Number.NaN, failed: 0 });
    for (const count of milestones) {
      const opened = await pool.open(target.wsUrl, count - pool.size, query, 100);
      await sleep(1000);
      samples.push({
        count: pool.size,
        rss: rssOf(target.pid),
        heap: await heap(),
        rate: (opened.opened / opened.ms) * 1000,
        failed: opened.failed,
      });
      if (opened.failed > 0) break;
    }
  } finally {
    await pool.closeAll(30_000);
  }
  return samples;
}

/** Chat at rising rates from `clients` connections until messages are lost or p95 latency passes 1 s. */
async function chat(target: Target, settings: CapacitySettings): Promise<Step[]> {
  const pool = new ClientPool();
  const steps: Step[] = [];
  try {
    const opened = await pool.open(target.wsUrl, settings.chatClients, {}, 10);
    if (opened.failed) throw new Error(`chat clients failed to connect: ${opened.reasons.join(', ')}`);
    await sleep(500);
    for (const rate of settings.chatRates) {
      const tag = `r${rate}-${Math.random().toString(36).slice(2, 8)}`;
      const latencies: number[] = [];
      let errors = 0;
      pool.onFrame = (_i, frame) => {
        if (frame.type === 'error') errors += 1;
        if (frame.type !== 'chat' || typeof frame.message !== 'string') return;
        const [t, sentAt] = frame.message.split('|');
        if (t === tag) latencies.push(performance.now() - Number(sentAt));
      };
      const total = Math.round((rate * settings.stepMs) / 1000);
      const started = performance.now();
      let sent = 0;
      while (sent < total && performance.now() - started < settings.stepMs * 2) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
        for (; sent < due; sent += 1)
          pool.send(sent % pool.size, { action: 'sendmessage', message: `${tag}|${performance.now()}` });
        await sleep(5);
      }
      const expected = sent * pool.size;
      const deadline = performance.now() + MAX_LATENCY_MS * 2;
      while (latencies.length < expected && performance.now() < deadline) await sleep(20);
      pool.onFrame = () => undefined;
      const step = {
        rate,
        sent,
        expected,
        received: latencies.length,
        errors,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
      };
      steps.push(step);
      if (step.received < step.expected || step.p95 > MAX_LATENCY_MS || errors > 0) break;
      await sleep(settings.pauseMs);
    }
  } finally {
    await pool.closeAll();
  }
  return steps;
}

const sustained = (steps: Step[]): number =>
  Math.max(
    0,
    ...steps.filter((s) => s.received === s.expected && s.p95 <= MAX_LATENCY_MS && s.errors === 0).map((s) => s.rate),
  );

/**
 * Section 4: idle connections and their memory, and chat throughput, for Switchboard's local stack and, as
 * the machine's floor, a plain `ws` broadcast server; each server in a child process of its own.
 */
export async function runCapacity(settings: CapacitySettings): Promise<CapacitySummary> {
  const idleRows: string[][] = [];
  const chatRows: string[][] = [];
  const idleAtMax: Record<string, number> = {};
  const chatMax: Record<string, number> = {};
  const max = Math.max(...settings.idleMilestones);
  for (const start of [startSwitchboard, startPlain]) {
    let target = await start();
    try {
      const token = target.name === 'Switchboard' ? await sessionToken(target.wsUrl) : undefined;
      const samples = await idle(target, settings.idleMilestones, token ? { token } : {});
      const base = samples[0]?.rss ?? 0;
      for (const s of samples) {
        idleRows.push([
          target.name,
          int(s.count),
          mb(s.rss),
          s.count ? `${((s.rss - base) / s.count / 1024).toFixed(1)} KB` : '-',
          Number.isFinite(s.heap) ? mb(s.heap) : '-',
          Number.isFinite(s.rate) ? `${int(s.rate)}/s` : '-',
          String(s.failed),
        ]);
      }
      const last = samples[samples.length - 1];
      idleAtMax[target.name] = last && last.count === max ? last.rss : Number.NaN;
      // A fresh server for the chat test: the idle one's room would hold every idle connection.
      await target.stop();
      target = await start();
      const steps = await chat(target, settings);
      for (const s of steps) {
        chatRows.push([
          target.name,
          `${s.rate}/s`,
          int(s.rate * settings.chatClients),
          `${int(s.received)} / ${int(s.expected)}`,
          String(s.errors),
          ms(s.p50),
          ms(s.p95),
        ]);
      }
      chatMax[target.name] = sustained(steps);
    } finally {
      await target.stop();
    }
  }
  return {
    idleRssAtMax: {
      switchboard: idleAtMax.Switchboard ?? Number.NaN,
      plain: idleAtMax['plain ws'] ?? Number.NaN,
      count: max,
    },
    chatMax: { switchboard: chatMax.Switchboard ?? 0, plain: chatMax['plain ws'] ?? 0 },
    tables: [
      {
        title: '4a. Idle connections held by one process, and its memory (RSS)',
        headers: [
          'server',
          'connections',
          'RSS',
          'RSS per connection',
          'heap after GC',
          'connect rate (batches of 100)',
          'failed',
        ],
        rows: idleRows,
        notes: [
          'Switchboard: the whole local stack (gateway, in-process handlers, dynalite with its in-memory data) in one child process; clients resume one session token so that connecting does not also post N²/2 presence frames.',
          'plain ws: a `ws` server that only holds sockets, the floor for this machine and Node version.',
        ],
      },
      {
        title: `4b. Chat throughput, ${settings.chatClients} clients, every message to every client, until loss or p95 > 1 s`,
        headers: [
          'server',
          'messages/s sent',
          'deliveries/s',
          'delivered / expected',
          'errors',
          'p50 latency',
          'p95 latency',
        ],
        rows: chatRows,
        notes: [
          `Each step sends for ${settings.stepMs / 1000} s, spread over the clients, then waits up to 2 s for deliveries. Rate limits raised (1,000 a second for every route class) so that the stack, not the limiter, is measured.`,
          `Sustained: Switchboard ${chatMax.Switchboard ?? 0} messages/s, plain ws ${chatMax['plain ws'] ?? 0} messages/s (the last step with no loss and p95 <= 1 s).`,
        ],
      },
    ],
  };
}
