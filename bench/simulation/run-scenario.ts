import { DEFAULT_BACKOFF } from '../../src/domain/fan-out/backoff';
import type { FanOutJob } from '../../src/domain/fan-out/fan-out-job';
import type { FanOutPlanSettings } from '../../src/domain/fan-out/fan-out-plan';
import type { ServerFrame } from '../../src/domain/frames';
import { broadcast } from '../../src/domain/use-cases/broadcast';
import { fanOut } from '../../src/domain/use-cases/fan-out';
import { type FanOutWorkerSettings, runFanOutJob } from '../../src/domain/use-cases/run-fan-out-job';
import { createMemoryDependencies } from '../../tests/support/memory/create-memory-dependencies';
import type { LocalCosts } from './local-costs';
import { SerialProcessor } from './serial-processor';
import { type ConnectionsModel, SimulatedConnections, SimulatedQueue, SimulatedSubscribers } from './simulated-aws';
import { logNormal, seededRandom, VirtualTime } from './virtual-time';

export interface ScenarioSettings {
  subscribers: number;
  design: 'queued' | 'single-invocation';
  injected429: number;
  gone410: number;
  /** @connections median latency, and the spread of its log-normal tail (0: always the median). */
  medianMs: number;
  latencySigma: number;
  ratePerSecond: number;
  /** DynamoDB Query median latency; SQS SendMessageBatch latency and the time until a poller sees the job. */
  queryMedianMs: number;
  queueSendMedianMs: number;
  queueDeliveryMedianMs: number;
  /** From a poller's receive to the worker's handler running (a warm invocation). */
  invocationStartMs: number;
  /** Lambda's SQS pollers: how many at first, and how many more each second, up to workerConcurrency. */
  pollersInitial: number;
  pollersPerSecond: number;
  /**
   * Null for AWS. For the local stack: its measured work per @connections post and per read request,
   * charged to one serial processor (its single event loop).
   */
  localCosts: LocalCosts | null;
  plan: FanOutPlanSettings;
  worker: FanOutWorkerSettings;
  /** Fan-out worker invocations at once (MaximumConcurrency) and records per invocation (BatchSize). */
  workerConcurrency: number;
  batchSize: number;
  /** Today's design: calls in flight and the function timeout. */
  singleConcurrency: number;
  timeoutMs: number;
  memoryGb: number;
  seed: number;
}

export interface ScenarioResult {
  settings: ScenarioSettings;
  lastDeliveryS: number;
  floorS: number;
  lost: number;
  duplicates: number;
  invocations: number;
  gbSeconds: number;
  readUnits: number;
  queueMessages: number;
  queueRequests: number;
  calls: number;
  throttled: number;
  delivered: number;
  costUsd: number;
  /** Virtual milliseconds the local stack's event loop was busy (0 for AWS). */
  localBusyMs: number;
  /** Wall-clock milliseconds the simulation itself took. */
  wallMs: number;
}

const FRAME: ServerFrame = {
  type: 'message',
  topic: 'big',
  message: { headline: 'x' },
  seq: 1,
  from: null,
  sentAt: '2026-12-03T00:00:00.000Z',
};
/** us-east-1 list prices: Lambda arm64, SQS standard, DynamoDB on-demand reads, API Gateway WebSocket messages. */
export const PRICES = {
  lambdaRequest: 0.2e-6,
  lambdaGbSecond: 0.0000133334,
  sqsRequest: 0.4e-6,
  readUnit: 0.125e-6,
  websocketMessage: 1e-6,
};

/** One publish to a channel of `subscribers`, through the real planning and worker code, in virtual time. */
export async function runScenario(settings: ScenarioSettings): Promise<ScenarioResult> {
  const wallStart = Date.now();
  const sim = new VirtualTime();
  const random = seededRandom(settings.seed);
  const processor = new SerialProcessor(sim);
  const work = (ms: number) => (settings.localCosts ? { processor, ms } : undefined);
  const model: ConnectionsModel = {
    medianMs: settings.medianMs,
    sigma: settings.latencySigma,
    ratePerSecond: settings.ratePerSecond,
    burst: settings.ratePerSecond / 2,
    injected429: settings.injected429,
    gone410: settings.gone410,
    work: work(settings.localCosts?.callMs ?? 0),
  };
  const connections = new SimulatedConnections(sim, random, model, settings.subscribers);
  const subscribers = new SimulatedSubscribers(
    sim,
    random,
    { queryMedianMs: settings.queryMedianMs, itemBytes: 150, work: work(settings.localCosts?.pageMs ?? 0) },
    settings.subscribers,
    settings.worker.pageSize,
  );
  const queue = new SimulatedQueue(sim, random, {
    sendMedianMs: settings.queueSendMedianMs,
    deliveryMedianMs: settings.queueDeliveryMedianMs,
  });
  const deps = {
    ...createMemoryDependencies({ settings: { fanOutConcurrency: settings.singleConcurrency } }),
    notifier: connections,
    subscriptions: subscribers,
    subscriberShards: subscribers,
    fanOutQueue: queue,
  };
  let invocations = 0;
  let gbSeconds = 0;
  const bill = (startedMs: number): void => {
    invocations += 1;
    gbSeconds += (Math.ceil(sim.now - startedMs) / 1000) * settings.memoryGb;
  };

  if (settings.design === 'single-invocation') {
    void fanOut(deps, 'topic:big', FRAME).then(() => bill(0));
    await sim.run(settings.timeoutMs);
    if (invocations === 0) {
      gbSeconds += (settings.timeoutMs / 1000) * settings.memoryGb;
      invocations = 1;
    }
  } else {
    let publishing = true;
    let running = 0;
    const closed = (): boolean => !publishing && running === 0 && queue.pending === 0 && queue.visible.length === 0;
    const runBatch = async (jobs: FanOutJob[]): Promise<void> => {
      const started = sim.now;
      await sim.sleep(logNormal(random, settings.invocationStartMs, 0.3));
      const lanes = Math.max(1, Math.floor(settings.worker.callsInFlight / jobs.length));
      await Promise.all(
        jobs.map((job) =>
          runFanOutJob(
            {
              deps,
              shards: subscribers,
              queue,
              notifier: connections,
              pause: (ms) => sim.sleep(ms),
              random,
              settings: { ...settings.worker, callsInFlight: lanes },
            },
            job,
          ),
        ),
      );
      bill(started);
    };
    const poller = async (): Promise<void> => {
      for (;;) {
        const jobs = await queue.take(settings.batchSize, closed);
        if (jobs === null) return;
        running += 1;
        await runBatch(jobs);
        running -= 1;
        if (closed()) queue.wake();
      }
    };
    let pollers = 0;
    const scale = async (): Promise<void> => {
      while (!closed() || publishing) {
        const allowed = Math.min(
          settings.workerConcurrency,
          settings.pollersInitial + Math.floor((sim.now / 1000) * settings.pollersPerSecond),
        );
        for (; pollers < allowed; pollers += 1) void poller();
        await sim.sleep(200);
      }
      queue.wake();
    };
    void scale();
    void (async () => {
      await broadcast({ ...deps, settings: { ...deps.settings, fanOutPlan: settings.plan } }, 'topic:big', FRAME);
      bill(0);
      publishing = false;
      if (closed()) queue.wake();
    })();
    await sim.run();
  }

  let lost = 0;
  let duplicates = 0;
  let delivered = 0;
  for (let i = 0; i < settings.subscribers; i += 1) {
    const count = connections.deliveries[i] ?? 0;
    if (connections.gone[i]) continue;
    if (count === 0) lost += 1;
    else delivered += 1;
    duplicates += Math.max(0, count - 1);
  }
  const costUsd =
    invocations * PRICES.lambdaRequest +
    gbSeconds * PRICES.lambdaGbSecond +
    queue.requests * PRICES.sqsRequest +
    subscribers.readUnits * PRICES.readUnit +
    (delivered + duplicates) * PRICES.websocketMessage;
  return {
    settings,
    lastDeliveryS: connections.lastDeliveryMs / 1000,
    floorS: settings.subscribers / settings.ratePerSecond,
    lost,
    duplicates,
    invocations,
    gbSeconds,
    readUnits: subscribers.readUnits,
    queueMessages: queue.messages,
    queueRequests: queue.requests,
    calls: connections.calls,
    throttled: connections.throttled,
    delivered,
    costUsd,
    localBusyMs: processor.busyMs,
    wallMs: Date.now() - wallStart,
  };
}

export function defaultScenario(subscribers: number, overrides: Partial<ScenarioSettings> = {}): ScenarioSettings {
  return {
    subscribers,
    design: 'queued',
    injected429: 0,
    gone410: 0,
    medianMs: 20,
    latencySigma: 0.5,
    ratePerSecond: 10_000,
    queryMedianMs: 8,
    queueSendMedianMs: 5,
    queueDeliveryMedianMs: 20,
    invocationStartMs: 10,
    // Lambda's SQS pollers start with 5 concurrent invocations and add up to 300 a minute.
    pollersInitial: 5,
    pollersPerSecond: 5,
    localCosts: null,
    plan: { directMax: 100, maxShards: 16, subscribersPerJob: 500 },
    worker: { callsInFlight: 50, subscribersPerJob: 500, pageSize: 100, backoff: DEFAULT_BACKOFF },
    workerConcurrency: 20,
    batchSize: 4,
    singleConcurrency: 50,
    timeoutMs: 10_000,
    memoryGb: 0.5,
    seed: 1,
    ...overrides,
  };
}

/**
 * The local stack as the simulation sees it: the same code and settings, with the local stack's own figures
 * instead of AWS's. From its code: a fixed injected @connections delay (no tail) and no account throttle;
 * dynalite, the SQS emulator and the functions in the same process, so no network latency for a Query,
 * a SendMessageBatch or an invocation; the event source starts all its pollers at once. Measured: `costs`,
 * the work per post and per read that its one event loop does, one thing at a time.
 */
export function localScenario(
  subscribers: number,
  latencyMs: number,
  costs: LocalCosts,
  overrides: Partial<ScenarioSettings> = {},
): ScenarioSettings {
  const base = defaultScenario(subscribers);
  return {
    ...base,
    medianMs: latencyMs,
    latencySigma: 0,
    ratePerSecond: 1_000_000_000,
    queryMedianMs: 0,
    queueSendMedianMs: 0,
    queueDeliveryMedianMs: 0,
    invocationStartMs: 0,
    pollersInitial: base.workerConcurrency,
    pollersPerSecond: 0,
    localCosts: costs,
    ...overrides,
  };
}
