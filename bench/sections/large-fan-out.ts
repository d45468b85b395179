import { startChildStack } from '../lib/child-stack';
import { ClientPool, sessionToken } from '../lib/client-pool';
import { int, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';
import {
  defaultScenario,
  PRICES,
  runScenario,
  type ScenarioResult,
  type ScenarioSettings,
} from '../simulation/run-scenario';

export interface LargeFanOutSettings {
  /** Channel sizes for the simulation. */
  simulatedSizes: number[];
  /** Channel size of the real local run that validates the simulation (0: skip). */
  validationSize: number;
  /** The largest real local channel to deliver through the worker path (0: skip). */
  largestLocal: number;
  latencyMs: number;
}

export interface LargeFanOutSummary {
  tables: Table[];
  /** Simulated time to last delivery over the throttle floor at 100,000, without and with injected faults. */
  ratioAt100k?: number;
  ratioAt100kFaults?: number;
  lostAt100k?: number;
  validation?: {
    realS: number;
    simulatedS: number;
    ratio: number;
    /** The same for the single invocation: how much of the gap is this machine rather than the queued model. */
    directRatio: number;
    /** Queued over single invocation, real and simulated. */
    realQueuedOverDirect: number;
    simulatedQueuedOverDirect: number;
  };
  largestLocal?: { n: number; seconds: number; missing: number; duplicates: number };
}

const usd = (value: number): string => `$${value < 0.01 ? value.toFixed(5) : value.toFixed(3)}`;
const seconds = (value: number): string => `${value.toFixed(2)} s`;

function row(label: string, r: ScenarioResult): string[] {
  return [
    int(r.settings.subscribers),
    label,
    seconds(r.lastDeliveryS),
    seconds(r.floorS),
    `${(r.lastDeliveryS / r.floorS).toFixed(2)}x`,
    int(r.lost),
    int(r.duplicates),
    int(r.throttled),
    int(r.invocations),
    r.gbSeconds.toFixed(1),
    int(r.readUnits),
    int(r.queueMessages),
    usd(r.costUsd),
  ];
}

/**
 * Section 7: publishing to large channels. The simulation runs the real planner, broadcast and worker code
 * in virtual time against simulated AWS (see bench/simulation), then a real local run checks it at one
 * size and the largest local channel goes through the queue and the worker.
 */
export async function runLargeFanOut(settings: LargeFanOutSettings): Promise<LargeFanOutSummary> {
  const summary: LargeFanOutSummary = { tables: [] };
  const rows: string[][] = [];
  const faults = { injected429: 0.01, gone410: 0.01 };
  for (const n of settings.simulatedSizes) {
    const queued = await runScenario(defaultScenario(n, { medianMs: settings.latencyMs }));
    const faulty = await runScenario(defaultScenario(n, { ...faults, medianMs: settings.latencyMs }));
    const today = await runScenario(defaultScenario(n, { design: 'single-invocation', medianMs: settings.latencyMs }));
    rows.push(
      row('queued workers', queued),
      row('queued workers, 1% 429 + 1% 410', faulty),
      row('single invocation (before)', today),
    );
    if (n === 100_000) {
      summary.ratioAt100k = queued.lastDeliveryS / queued.floorS;
      summary.ratioAt100kFaults = faulty.lastDeliveryS / faulty.floorS;
      summary.lostAt100k = queued.lost + faulty.lost;
    }
  }
  const base = defaultScenario(0);
  summary.tables.push({
    title: '7a. Publish to N subscribers, simulated (virtual time, real planning and worker code)',
    headers: [
      'N',
      'design',
      'last delivery',
      'floor N/10,000',
      'ratio',
      'lost',
      'duplicates',
      '429s',
      'invocations',
      'GB-s',
      'DynamoDB RRU',
      'queue messages',
      'cost / publish',
    ],
    rows,
    notes: [
      `@connections: log-normal latency, median ${settings.latencyMs} ms, sigma 0.5 (p99 about 3.2x); a 10,000 requests/s token bucket with a 5,000 burst; a 429 costs half a call's latency. "Lost" counts live subscribers that never got the frame (gone ones are not lost); "429s" counts throttled calls, each retried in its job.`,
      `Queued design: FanOutDirectMax ${base.plan.directMax}, ${base.plan.maxShards} shards at most, ${base.plan.subscribersPerJob} subscribers per job, pages of ${base.worker.pageSize}, ${base.worker.callsInFlight} calls in flight per invocation shared by its records, BatchSize ${base.batchSize}, MaximumConcurrency ${base.workerConcurrency}; Lambda's SQS pollers start at 5 invocations and add 5 a second; SQS delivery median 20 ms; DynamoDB Query median 8 ms, 150-byte items, consistent reads.`,
      `Single invocation: today's fanOut use case, ${base.singleConcurrency} calls in flight, cut off at the ${base.timeoutMs / 1000} s timeout; whatever was not sent by then is lost.`,
      `Cost at us-east-1 list prices: Lambda arm64 $${PRICES.lambdaGbSecond}/GB-s and $0.20 per million invocations at ${base.memoryGb * 1024} MB, SQS $0.40 per million requests (send, receive, delete; pollers' empty receives not counted), DynamoDB on-demand $0.125 per million read units, API Gateway $1.00 per million WebSocket messages (which dominates).`,
    ],
  });

  if (settings.validationSize > 0) {
    const n = settings.validationSize;
    // The same setup in the simulation: no account throttle locally, the same median latency.
    const local: Partial<ScenarioSettings> = { medianMs: settings.latencyMs, ratePerSecond: 1_000_000 };
    const realQueued = await localRun(n, settings.latencyMs);
    const realDirect = await localRun(n, settings.latencyMs, { FAN_OUT_DIRECT_MAX: String(n * 10) });
    const simQueued = await runScenario(defaultScenario(n, local));
    const simDirect = await runScenario(defaultScenario(n, { ...local, design: 'single-invocation' }));
    const ratio = realQueued.seconds / simQueued.lastDeliveryS;
    summary.validation = {
      realS: realQueued.seconds,
      simulatedS: simQueued.lastDeliveryS,
      ratio,
      directRatio: realDirect.seconds / simDirect.lastDeliveryS,
      realQueuedOverDirect: realQueued.seconds / realDirect.seconds,
      simulatedQueuedOverDirect: simQueued.lastDeliveryS / simDirect.lastDeliveryS,
    };
    const line = (
      label: string,
      real: { seconds: number; missing: number; duplicates: number },
      sim: ScenarioResult,
    ): string[] => [
      int(n),
      label,
      seconds(real.seconds),
      seconds(sim.lastDeliveryS),
      `${(real.seconds / sim.lastDeliveryS).toFixed(2)}x`,
      int(real.missing),
      int(real.duplicates),
    ];
    summary.tables.push({
      title: `7b. The simulation against a real local run at N = ${int(n)}`,
      headers: [
        'N',
        'design',
        'real local stack',
        'simulation',
        'real / simulated',
        'missing (real)',
        'duplicates (real)',
      ],
      rows: [line('queued workers', realQueued, simQueued), line('single invocation', realDirect, simDirect)],
      notes: [
        `Both with ${settings.latencyMs} ms added to each @connections call and no account throttle. The local stack runs every Lambda, the SDK's signing, dynalite and the ${int(n)} WebSocket clients in Node processes on this shared 2-core machine, so its CPU adds time the simulation leaves out; the single-invocation row, the same comparison for the path that has no queue, separates that machine cost from the model. Tolerances: the real run within 0.5x-2x of the simulation in absolute time (set before the first run), and the queued design's time over the single invocation's, real against simulated, within 25 % (added after the first run showed the same absolute gap on both paths).`,
      ],
    });
  }

  if (settings.largestLocal > 0) {
    const real = await localRun(settings.largestLocal, 0);
    summary.largestLocal = { n: settings.largestLocal, ...real };
    summary.tables.push({
      title: '7c. The largest channel run locally through the queue and the fan-out worker',
      headers: ['N', 'last delivery', 'missing', 'duplicates'],
      rows: [[int(settings.largestLocal), seconds(real.seconds), int(real.missing), int(real.duplicates)]],
      notes: [
        "Real WebSocket clients on the local stack (npm start's code, template.yaml's queue and event source), no latency added.",
      ],
    });
  }
  return summary;
}

/** Publishes once to a topic of `n` real WebSocket subscribers on the local stack; times the last delivery. */
async function localRun(
  n: number,
  latencyMs: number,
  env: Record<string, string> = {},
): Promise<{ seconds: number; missing: number; duplicates: number }> {
  const stack = await startChildStack({
    connectionsLatencyMs: latencyMs,
    env: { CHAT_RATE_PER_SECOND: '1000', CHAT_BURST: '1000', ...env },
  });
  const subscribers = new ClientPool();
  const publisher = new ClientPool();
  try {
    const token = await sessionToken(stack.wsUrl);
    const opened = await subscribers.open(stack.wsUrl, n, { token, topicName: 'bench-large' }, 100, 60_000);
    if (opened.failed > 0)
      throw new Error(`${opened.failed} subscribers failed to connect: ${opened.reasons.join(', ')}`);
    await publisher.open(stack.wsUrl, 1, { token });
    await stack.settle(500, 60_000);
    const counts = new Uint16Array(n);
    let received = 0;
    let lastAt = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    subscribers.onFrame = (index, frame) => {
      if (frame.type !== 'message' || frame.topic !== 'bench-large') return;
      counts[index] = (counts[index] ?? 0) + 1;
      if (counts[index] !== 1) return;
      received += 1;
      lastAt = performance.now();
      if (received === n) resolveAll();
    };
    const started = performance.now();
    await publisher.request(
      0,
      { action: 'publish', topic: 'bench-large', message: 'x' },
      (f) => f.type === 'ack',
      30_000,
    );
    await withTimeout(all, 120_000, `local fan-out to ${n}`).catch(() => undefined);
    const elapsed = (received === n ? lastAt : performance.now()) - started;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const duplicates = counts.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    return { seconds: elapsed / 1000, missing: n - received, duplicates };
  } finally {
    await subscribers.closeAll(60_000);
    await publisher.closeAll();
    await stack.stop();
  }
}
