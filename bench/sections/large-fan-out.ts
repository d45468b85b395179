import { loadavg } from 'node:os';
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
    // The local stack's own costs are measured on a second stack with no latency injected, right before and
    // right after each real publish, so that each publish is simulated with what this shared machine gave
    // the local stack at that moment.
    const prober = await startCostProbe(settings.calibrationSize);
    let realQueued: LocalRuns;
    let realDirect: LocalRuns;
    try {
      realQueued = await localRuns(n, settings.latencyMs, settings.repetitions, {}, prober.measure);
      realDirect = await localRuns(
        n,
        settings.latencyMs,
        settings.repetitions,
        { FAN_OUT_DIRECT_MAX: String(n * 10) },
        prober.measure,
      );
    } finally {
      await prober.stop();
    }
    const sim = (design: ScenarioSettings['design'], costs: LocalCosts) =>
      runScenario(localScenario(n, settings.latencyMs, costs, { design }));
    const perPublish: string[][] = [];
    const compare = async (label: string, design: ScenarioSettings['design'], real: LocalRuns) => {
      const ratios: number[] = [];
      const simulated: number[] = [];
      for (const [i, run] of real.runs.entries()) {
        const result = await sim(design, run.costs);
        ratios.push(run.seconds / result.lastDeliveryS);
        simulated.push(result.lastDeliveryS);
        perPublish.push([
          label,
          String(i + 1),
          run.load.toFixed(1),
          run.costs.callMs.toFixed(3),
          run.costs.pageMs.toFixed(2),
          seconds(run.seconds),
          seconds(result.lastDeliveryS),
          seconds(result.localBusyMs / 1000),
          `${(run.seconds / result.lastDeliveryS).toFixed(2)}x`,
        ]);
      }
      const bare = await sim(design, { callMs: 0, pageMs: 0 });
      return { ratio: median(ratios), simulatedS: median(simulated), bareS: bare.lastDeliveryS };
    };
    const queued = await compare('queued workers', 'queued', realQueued);
    const direct = await compare('single invocation', 'single-invocation', realDirect);
    const allCosts = [...realQueued.runs, ...realDirect.runs].map((run) => run.costs);
    summary.validation = {
      costs: {
        callMs: median(allCosts.map((c) => c.callMs)),
        pageMs: median(allCosts.map((c) => c.pageMs)),
      },
      ratio: queued.ratio,
      directRatio: direct.ratio,
      tolerance,
    };
    summary.tables.push({
      title: `7b. The simulation against the real local stack at N = ${int(n)}, each publish with the local costs measured around it`,
      intro: [
        `Tolerance, set before the first comparison and kept: for each design, the median over its ${settings.repetitions} publishes of real time over simulated time within ${tolerance.low}x-${tolerance.high}x.`,
      ],
      headers: [
        'design',
        'publish',
        'load (1 min)',
        'measured: ms a post',
        'ms a page',
        'real local stack',
        'simulated',
        'of which event loop busy',
        'real / simulated',
      ],
      rows: perPublish,
      notes: [
        `Real: one local stack per design with ${settings.latencyMs} ms added to each @connections call, ${int(n)} real WebSocket clients subscribed once, then ${settings.repetitions} publishes one after another, each timed from the publish to the last subscriber's frame. "Load" is the machine's 1-minute load average (2 cores, shared) as the publish starts.`,
        `Measured (the two local costs): on a second local stack with no latency injected and ${int(settings.calibrationSize)} real subscribers, by bench/lib/local-cost-probe.ts inside the stack's process, with the project's own adapters (the handlers' \`ApiGatewayNotifier\` and \`DynamoDbSubscriptionRepository\`, with the composition root's client options): ${PROBE.passes} passes right before the publish and ${PROBE.passes} right after, each reading every page of ${PROBE.pageSize}, one at a time, then posting to every subscriber with ${PROBE.callsInFlight} posts in flight; the median of those passes (nearest rank). The stack is one Node event loop, saturated by the posts in flight, so wall time per post is its work per post (SDK request and signing, the gateway's HTTP handling, the WebSocket send, the answer), and likewise per page.`,
        `Simulated: the same planning, broadcast and worker code and the same settings as the real run, in virtual time, with the two measured costs charged to one serial processor (the event loop), and what the local stack's code fixes: the injected ${settings.latencyMs} ms delay without a tail, no account throttle, no network latency for Query, SQS or invocations (dynalite, the SQS emulator and the functions share the process), all ${defaultScenario(0).workerConcurrency} pollers from the start. None of 7a's AWS figures is used here, and none of these in 7a.`,
      ],
    });
    const line = (label: string, real: LocalRuns, r: { ratio: number; simulatedS: number; bareS: number }) => [
      int(n),
      label,
      `${r.ratio.toFixed(2)}x`,
      r.ratio >= tolerance.low && r.ratio <= tolerance.high ? 'yes' : 'no',
      seconds(median(real.runs.map((run) => run.seconds))),
      seconds(r.simulatedS),
      seconds(r.bareS),
      int(real.missing),
      int(real.duplicates),
    ];
    summary.tables.push({
      title: `7c. The comparison at N = ${int(n)}, per design`,
      headers: [
        'N',
        'design',
        'real / simulated (median)',
        `within ${tolerance.low}x-${tolerance.high}x`,
        'real (median)',
        'simulated (median)',
        'simulated without local costs',
        'missing (real)',
        'duplicates (real)',
      ],
      rows: [line('queued workers', realQueued, queued), line('single invocation', realDirect, direct)],
      notes: [
        '"Simulated without local costs" is the same simulation with both costs set to zero: the model before this calibration. Missing and duplicates are summed over the publishes.',
        "Still outside the model, so the real run can only be slower: the publish handler's own work before it broadcasts, the local Lambda runtime's and the SQS emulator's work per invocation and per message, the gateway's bookkeeping for the validation's larger number of connections, and the bench's own WebSocket clients and other processes competing for the same two cores.",
      ],
    });
  }

  if (settings.largestLocal > 0) {
    const real = await localRuns(settings.largestLocal, 0, 1);
    summary.largestLocal = {
      n: settings.largestLocal,
      seconds: real.runs[0]?.seconds ?? Number.NaN,
      missing: real.missing,
      duplicates: real.duplicates,
    };
    summary.tables.push({
      title: '7d. The largest channel run locally through the queue and the fan-out worker',
      headers: ['N', 'last delivery', 'missing', 'duplicates', 'load (1 min)'],
      rows: [
        [
          int(settings.largestLocal),
          seconds(summary.largestLocal.seconds),
          int(real.missing),
          int(real.duplicates),
          (real.runs[0]?.load ?? Number.NaN).toFixed(1),
        ],
      ],
      notes: [
        "Real WebSocket clients on the local stack (npm start's code, template.yaml's queue and event source), no latency added; one publish. \"Load\" is the machine's 1-minute load average (2 cores, shared) as it starts.",
      ],
    });
  }
  return summary;
}

interface LocalRun {
  /** From the publish to the last subscriber's first copy. */
  seconds: number;
  /** The machine's 1-minute load average as the publish started. */
  load: number;
  /** The local costs measured right around this publish (zero when nothing was measured). */
  costs: LocalCosts;
}

interface LocalRuns {
  runs: LocalRun[];
  /** Subscribers that never got a publish, and extra copies, summed over the publishes. */
  missing: number;
  duplicates: number;
}

/**
 * Subscribes `n` real WebSocket clients to one topic on a fresh local stack, then publishes `repetitions`
 * times, one after another, timing each from the publish to the last subscriber's first copy; with
 * `measure`, the local costs are measured right before and right after each publish.
 */
async function localRuns(
  n: number,
  latencyMs: number,
  repetitions: number,
  env: Record<string, string> = {},
  measure?: () => Promise<LocalCostProbeResult>,
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
    const result: LocalRuns = { runs: [], missing: 0, duplicates: 0 };
    for (let run = 0; run < repetitions; run += 1) {
      const before = measure ? await measure() : null;
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
      const load = loadavg()[0] ?? Number.NaN;
      const started = performance.now();
      await publisher.request(0, { action: 'publish', topic: 'bench-large', message }, (f) => f.type === 'ack', 30_000);
      await withTimeout(all, 120_000, `local fan-out to ${n}`).catch(() => undefined);
      const elapsed = (received === n ? lastAt : performance.now()) - started;
      // Late copies still count as duplicates of this publish.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = measure ? await measure() : null;
      const costs =
        before && after
          ? localCostsFrom({
              callMs: [...before.callMs, ...after.callMs],
              pageMs: [...before.pageMs, ...after.pageMs],
              failedCalls: before.failedCalls + after.failedCalls,
            })
          : { callMs: 0, pageMs: 0 };
      result.runs.push({ seconds: elapsed / 1000, load, costs });
      result.missing += n - received;
      result.duplicates += counts.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    }
    return result;
  } finally {
    await subscribers.closeAll(60_000);
    await publisher.closeAll();
    await stack.stop();
  }
}

/** What the section probes with: the fan-out's page size and one invocation's calls in flight. */
const PROBE = { pageSize: 100, callsInFlight: 50, passes: 2 };

/**
 * A fresh local stack with no latency injected and `n` real subscribers, on which `measure` runs
 * bench/lib/local-cost-probe.ts: the local stack's own work per `@connections` post and per Query page.
 */
async function startCostProbe(
  n: number,
): Promise<{ measure: () => Promise<LocalCostProbeResult>; stop: () => Promise<void> }> {
  const stack = await startChildStack({ connectionsLatencyMs: 0 });
  const subscribers = new ClientPool();
  const stop = async (): Promise<void> => {
    await subscribers.closeAll(60_000);
    await stack.stop();
  };
  try {
    const token = await sessionToken(stack.wsUrl);
    const opened = await subscribers.open(stack.wsUrl, n, { token, topicName: 'bench-probe' }, 100, 60_000);
    if (opened.failed > 0)
      throw new Error(`${opened.failed} subscribers failed to connect: ${opened.reasons.join(', ')}`);
    await stack.settle(500, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { measure: () => stack.probe({ channel: 'topic:bench-probe', ...PROBE }), stop };
}
