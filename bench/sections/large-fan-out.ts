import { startChildStack } from '../lib/child-stack';
import { ClientPool, sessionToken } from '../lib/client-pool';
import type { LocalCostProbeResult } from '../lib/local-cost-probe';
import { int, median, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';
import { type LocalCosts, localCostsFrom } from '../simulation/local-costs';
import {
  defaultScenario,
  localScenario,
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
  /** Subscribers the local stack's per-call and per-page costs are measured with, before the validation. */
  calibrationSize: number;
  /** Publishes timed on each real validation stack (the median is compared). */
  repetitions: number;
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
    costs: LocalCosts;
    /** Real median over simulated with the measured local costs, for the queued design and the single invocation. */
    ratio: number;
    directRatio: number;
    tolerance: { low: number; high: number };
  };
  largestLocal?: { n: number; seconds: number; missing: number; duplicates: number };
}

/** How far the real local run may be from the simulation of it, set before the first comparison. */
const VALIDATION_TOLERANCE = { low: 0.5, high: 2 };

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
      "Every figure behind 7a is AWS's: published limits and list prices, and assumed AWS latencies (the medians and tails below). None is measured on this machine, and the local costs of 7b are not used here.",
      `@connections: log-normal latency, median ${settings.latencyMs} ms, sigma 0.5 (p99 about 3.2x); a 10,000 requests/s token bucket with a 5,000 burst; a 429 costs half a call's latency. "Lost" counts live subscribers that never got the frame (gone ones are not lost); "429s" counts throttled calls, each retried in its job.`,
      `Queued design: FanOutDirectMax ${base.plan.directMax}, ${base.plan.maxShards} shards at most, ${base.plan.subscribersPerJob} subscribers per job, pages of ${base.worker.pageSize}, ${base.worker.callsInFlight} calls in flight per invocation shared by its records, BatchSize ${base.batchSize}, MaximumConcurrency ${base.workerConcurrency}; Lambda's SQS pollers start at 5 invocations and add 5 a second; SQS delivery median 20 ms; DynamoDB Query median 8 ms, 150-byte items, consistent reads.`,
      `Single invocation: today's fanOut use case, ${base.singleConcurrency} calls in flight, cut off at the ${base.timeoutMs / 1000} s timeout; whatever was not sent by then is lost.`,
      `Cost at us-east-1 list prices: Lambda arm64 $${PRICES.lambdaGbSecond}/GB-s and $0.20 per million invocations at ${base.memoryGb * 1024} MB, SQS $0.40 per million requests (send, receive, delete; pollers' empty receives not counted), DynamoDB on-demand $0.125 per million read units, API Gateway $1.00 per million WebSocket messages (which dominates).`,
    ],
  });

  if (settings.validationSize > 0) {
    const n = settings.validationSize;
    const tolerance = VALIDATION_TOLERANCE;
    // First the local stack's own costs, measured on this machine in this run with no latency injected.
    const probe = await measureLocalCosts(settings.calibrationSize);
    const costs = localCostsFrom(probe);
    summary.tables.push({
      title: `7b. The local stack's own work, measured (${int(settings.calibrationSize)} subscribers, no latency injected)`,
      headers: ['what', 'per pass (ms)', 'median (ms)'],
      rows: [
        [
          `one @connections post (${int(probe.calls)} a pass, ${probe.callsInFlight} in flight)`,
          probe.callMs.map((v) => v.toFixed(3)).join(', '),
          costs.callMs.toFixed(3),
        ],
        [
          `one subscriber Query page (${int(probe.pages)} a pass, pages of ${probe.pageSize}, one at a time)`,
          probe.pageMs.map((v) => v.toFixed(2)).join(', '),
          costs.pageMs.toFixed(2),
        ],
      ],
      notes: [
        "Measured inside the local stack's process (bench/lib/local-cost-probe.ts) with the project's own adapters (the handlers' `ApiGatewayNotifier` and `DynamoDbSubscriptionRepository`, with the composition root's client options) against its own `@connections` API and dynalite, while real WebSocket clients receive every post. The stack is one Node event loop; with the posts in flight it is saturated, so wall time per post is its work per post (SDK request and signing, the gateway's HTTP handling, the WebSocket send, the answer), and likewise per page.",
        `The validation below simulates the local run with these two figures, charged to one serial processor (the event loop), plus what the local stack's code fixes: the injected ${settings.latencyMs} ms delay without a tail, no account throttle, no network latency for Query, SQS or invocations (dynalite, the SQS emulator and the functions share the process), all ${defaultScenario(0).workerConcurrency} pollers from the start. AWS's figures (section 7a) are not used there, and these are not used in 7a.`,
        `Tolerance, stated before the result and unchanged since the first comparison: for each design, the real local run's median time within ${tolerance.low}x-${tolerance.high}x of the simulated time.`,
      ],
    });

    const realQueued = await localRuns(n, settings.latencyMs, settings.repetitions);
    const realDirect = await localRuns(n, settings.latencyMs, settings.repetitions, {
      FAN_OUT_DIRECT_MAX: String(n * 10),
    });
    const zero: LocalCosts = { callMs: 0, pageMs: 0 };
    const sim = async (design: ScenarioSettings['design'], with_: LocalCosts) =>
      runScenario(localScenario(n, settings.latencyMs, with_, { design }));
    const simQueued = await sim('queued', costs);
    const simDirect = await sim('single-invocation', costs);
    const bareQueued = await sim('queued', zero);
    const bareDirect = await sim('single-invocation', zero);
    summary.validation = {
      costs,
      ratio: realQueued.seconds / simQueued.lastDeliveryS,
      directRatio: realDirect.seconds / simDirect.lastDeliveryS,
      tolerance,
    };
    const line = (label: string, real: LocalRuns, simulated: ScenarioResult, bare: ScenarioResult): string[] => {
      const ratio = real.seconds / simulated.lastDeliveryS;
      return [
        int(n),
        label,
        `${seconds(real.seconds)} (${real.runs.map((r) => r.toFixed(2)).join(', ')})`,
        seconds(simulated.lastDeliveryS),
        `${(simulated.localBusyMs / 1000).toFixed(2)} s`,
        `${ratio.toFixed(2)}x`,
        ratio >= tolerance.low && ratio <= tolerance.high ? 'yes' : 'no',
        seconds(bare.lastDeliveryS),
        int(real.missing),
        int(real.duplicates),
      ];
    };
    summary.tables.push({
      title: `7c. The simulation, with the measured local costs, against a real local run at N = ${int(n)}`,
      headers: [
        'N',
        'design',
        `real local stack, median (${settings.repetitions} publishes)`,
        'simulated',
        'of which event loop busy',
        'real / simulated',
        `within ${tolerance.low}x-${tolerance.high}x`,
        'simulated without local costs',
        'missing (real)',
        'duplicates (real)',
      ],
      rows: [
        line('queued workers', realQueued, simQueued, bareQueued),
        line('single invocation', realDirect, simDirect, bareDirect),
      ],
      notes: [
        `Both with ${settings.latencyMs} ms added to each @connections call. Real: one stack per design, ${int(n)} WebSocket clients subscribed once, then ${settings.repetitions} publishes one after another, each timed from the publish to the last subscriber's frame; missing and duplicates are summed over them. Simulated: the same code and settings in virtual time, measured costs from 7b; "without local costs" is the same simulation with both set to zero, the model before calibration.`,
      ],
    });
  }

  if (settings.largestLocal > 0) {
    const real = await localRuns(settings.largestLocal, 0, 1);
    summary.largestLocal = {
      n: settings.largestLocal,
      seconds: real.seconds,
      missing: real.missing,
      duplicates: real.duplicates,
    };
    summary.tables.push({
      title: '7d. The largest channel run locally through the queue and the fan-out worker',
      headers: ['N', 'last delivery', 'missing', 'duplicates'],
      rows: [[int(settings.largestLocal), seconds(real.seconds), int(real.missing), int(real.duplicates)]],
      notes: [
        "Real WebSocket clients on the local stack (npm start's code, template.yaml's queue and event source), no latency added.",
      ],
    });
  }
  return summary;
}

interface LocalRuns {
  /** Seconds from each publish to its last delivery, in order. */
  runs: number[];
  /** Their median. */
  seconds: number;
  /** Subscribers that never got a publish, and extra copies, summed over the publishes. */
  missing: number;
  duplicates: number;
}

/**
 * Subscribes `n` real WebSocket clients to one topic on a fresh local stack, then publishes `repetitions`
 * times, one after another, timing each from the publish to the last subscriber's first copy.
 */
async function localRuns(
  n: number,
  latencyMs: number,
  repetitions: number,
  env: Record<string, string> = {},
): Promise<LocalRuns> {
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
    const result: LocalRuns = { runs: [], seconds: Number.NaN, missing: 0, duplicates: 0 };
    for (let run = 0; run < repetitions; run += 1) {
      const message = `x${run}`;
      const counts = new Uint16Array(n);
      let received = 0;
      let lastAt = 0;
      let resolveAll: () => void = () => undefined;
      const all = new Promise<void>((resolve) => {
        resolveAll = resolve;
      });
      subscribers.onFrame = (index, frame) => {
        if (frame.type !== 'message' || frame.topic !== 'bench-large' || frame.message !== message) return;
        counts[index] = (counts[index] ?? 0) + 1;
        if (counts[index] !== 1) return;
        received += 1;
        lastAt = performance.now();
        if (received === n) resolveAll();
      };
      const started = performance.now();
      await publisher.request(0, { action: 'publish', topic: 'bench-large', message }, (f) => f.type === 'ack', 30_000);
      await withTimeout(all, 120_000, `local fan-out to ${n}`).catch(() => undefined);
      const elapsed = (received === n ? lastAt : performance.now()) - started;
      // Late copies still count as duplicates of this publish.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      result.runs.push(elapsed / 1000);
      result.missing += n - received;
      result.duplicates += counts.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    }
    result.seconds = median(result.runs);
    return result;
  } finally {
    await subscribers.closeAll(60_000);
    await publisher.closeAll();
    await stack.stop();
  }
}

/** What the section probes with: the fan-out's page size and one invocation's calls in flight. */
const PROBE = { pageSize: 100, callsInFlight: 50, passes: 5 };

/**
 * Measures the local stack's own work per `@connections` post and per Query page (bench/lib/local-cost-probe.ts),
 * on a fresh stack with no latency injected and `n` real subscribers to send to.
 */
async function measureLocalCosts(n: number): Promise<LocalCostProbeResult & typeof PROBE> {
  const stack = await startChildStack({ connectionsLatencyMs: 0 });
  const subscribers = new ClientPool();
  try {
    const token = await sessionToken(stack.wsUrl);
    const opened = await subscribers.open(stack.wsUrl, n, { token, topicName: 'bench-probe' }, 100, 60_000);
    if (opened.failed > 0)
      throw new Error(`${opened.failed} subscribers failed to connect: ${opened.reasons.join(', ')}`);
    await stack.settle(500, 60_000);
    const measured = await stack.probe({ channel: 'topic:bench-probe', ...PROBE });
    return { ...measured, ...PROBE };
  } finally {
    await subscribers.closeAll(60_000);
    await stack.stop();
  }
}
