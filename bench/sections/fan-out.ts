import { Agent } from 'node:http';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { promiseAllFanOut } from '../alternatives/promise-all-fan-out';
import { type AlternativeResult, sequentialFanOut } from '../alternatives/sequential-fan-out';
import { type ChildStack, startChildStack } from '../lib/child-stack';
import { ClientPool, sessionToken } from '../lib/client-pool';
import { median, ms, ratio, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';
import { UNLIMITED_RATES } from '../lib/unlimited-rates';

export interface FanOutSettings {
  sizes: number[];
  repetitions: number;
  latencyMs: number;
  concurrency: number;
  /** Largest N the sequential loop runs at (it takes N x latency). */
  sequentialMax: number;
}

type Strategy = 'switchboard' | 'promise-all' | 'promise-all-unpooled' | 'sequential';

interface Run {
  strategy: Strategy;
  n: number;
  ms: number;
  missing: number;
  failed: number;
  scans: number;
  queries: number;
  warnings: number;
  error?: string;
}

export interface FanOutSummary {
  table: Table;
  ratioAtLargest: number;
  /** The same, with the publish's fixed cost (a publish to a topic without subscribers) taken off. */
  ratioAtLargestNet: number;
  /** Switchboard's time over the Scan + Promise.all with the SDK's 50 sockets (the same concurrency) at the largest N. */
  vsSameConcurrencyAtLargest: number;
  overheadMs: number;
  largest: number;
  errors: number;
}

const TOPIC = 'bench-fanout';
const LABELS: Record<Strategy, string> = {
  switchboard: 'Switchboard (Query pages, bounded)',
  'promise-all': 'Scan + Promise.all (SDK agent, 50 sockets)',
  'promise-all-unpooled': 'Scan + Promise.all (maxSockets Infinity)',
  sequential: 'Scan + sequential loop',
};

/**
 * Section 1: one message to N subscribers through the real path (publish frame, Lambda handler, DynamoDB,
 * `@connections` with injected latency, WebSocket), timed until the last client has it, side by side with
 * the two strategies of the samples, run from this process against the same endpoints and table.
 */
export async function runFanOut(settings: FanOutSettings): Promise<FanOutSummary> {
  const stack = await startChildStack({
    connectionsLatencyMs: settings.latencyMs,
    countDynamo: true,
    // The in-place path at every size, so that it is compared with the samples' strategies like for like;
    // the queued path of large channels is section 7's.
    env: {
      FAN_OUT_CONCURRENCY: String(settings.concurrency),
      FAN_OUT_DIRECT_MAX: String(Math.max(...settings.sizes)),
      ...UNLIMITED_RATES,
    },
  });
  const subscribers = new ClientPool();
  const publisher = new ClientPool();
  let warnings = 0;
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => {
      warnings += 1;
    },
    error: () => undefined,
  };
  // The SDK's own agent settings (keep-alive, 50 sockets), plus an idle timeout under the local server's 5 s
  // keepAliveTimeout: without it, a request sent on a socket the server is closing can hang (seen here twice).
  const pooledAgent = new Agent({ keepAlive: true, maxSockets: 50, timeout: 4000 });
  const api = new ApiGatewayManagementApiClient({
    endpoint: stack.connectionsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger,
    requestHandler: new NodeHttpHandler({ httpAgent: pooledAgent }),
  });
  const unpooledAgent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, timeout: 4000 });
  const unpooled = new ApiGatewayManagementApiClient({
    endpoint: stack.connectionsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger,
    requestHandler: new NodeHttpHandler({ httpAgent: unpooledAgent }),
  });
  const runs: Run[] = [];
  const overheads: number[] = [];
  try {
    const token = await sessionToken(stack.wsUrl);
    const pub = await publisher.open(stack.wsUrl, 1, { token });
    if (pub.opened !== 1) throw new Error(`publisher did not connect: ${pub.reasons.join(', ')}`);
    for (let i = 0; i < 5; i += 1) {
      const t0 = performance.now();
      await publisher.request(
        0,
        { action: 'publish', topic: 'bench-empty', message: i },
        (f) => f.type === 'ack' || f.type === 'error',
      );
      overheads.push(performance.now() - t0);
    }
    for (const n of settings.sizes) {
      const opened = await subscribers.open(stack.wsUrl, n - subscribers.size, { token, topicName: TOPIC });
      if (opened.failed > 0)
        throw new Error(`${opened.failed} subscribers failed to connect: ${opened.reasons.join(', ')}`);
      await stack.settle(300);
      const strategies: Strategy[] = ['switchboard', 'promise-all', 'promise-all-unpooled'];
      for (let rep = 0; rep < settings.repetitions; rep += 1) {
        // Rotate the order so that drift on a noisy machine does not favour one strategy.
        const order = strategies.map((_, i) => strategies[(i + rep) % strategies.length] as Strategy);
        if (rep === 0 && n <= settings.sequentialMax) order.push('sequential');
        for (const strategy of order) {
          warnings = 0;
          runs.push(
            await timeOne(stack, subscribers, publisher, strategy, n, settings, () => warnings, {
              dynamo,
              api,
              unpooled,
            }),
          );
        }
      }
    }
  } finally {
    await subscribers.closeAll();
    await publisher.closeAll();
    dynamo.destroy();
    api.destroy();
    unpooled.destroy();
    unpooledAgent.destroy();
    pooledAgent.destroy();
    await stack.stop();
  }
  return summarise(runs, settings, median(overheads.slice(2)));
}

async function timeOne(
  stack: ChildStack,
  subscribers: ClientPool,
  publisher: ClientPool,
  strategy: Strategy,
  n: number,
  settings: FanOutSettings,
  warnings: () => number,
  clients: {
    dynamo: DynamoDBDocumentClient;
    api: ApiGatewayManagementApiClient;
    unpooled: ApiGatewayManagementApiClient;
  },
): Promise<Run> {
  const runId = `${strategy}-${n}-${Math.random().toString(36).slice(2)}`;
  const seen = new Uint8Array(subscribers.size);
  let received = 0;
  let lastAt = 0;
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  subscribers.onFrame = (index, frame) => {
    const message = frame.message as { run?: string } | undefined;
    if (frame.type !== 'message' || message?.run !== runId || seen[index]) return;
    seen[index] = 1;
    received += 1;
    lastAt = performance.now();
    if (received === n) resolveAll();
  };
  await stack.reset();
  const timeoutMs = strategy === 'sequential' ? n * settings.latencyMs * 3 + 20_000 : 20_000;
  const frame = {
    type: 'message',
    topic: TOPIC,
    message: { run: runId },
    seq: 0,
    from: null,
    sentAt: new Date().toISOString(),
  };
  const channel = `topic:${TOPIC}`;
  let outcome: AlternativeResult = { sent: 0, failed: 0 };
  const started = performance.now();
  let work: Promise<unknown>;
  if (strategy === 'switchboard') {
    work = publisher.request(
      0,
      { action: 'publish', topic: TOPIC, message: { run: runId } },
      (f) => f.type === 'ack' || f.type === 'error',
      timeoutMs,
    );
  } else if (strategy === 'sequential') {
    work = sequentialFanOut(clients.dynamo, clients.api, stack.tableName, channel, JSON.stringify(frame)).then(
      (r) => (outcome = r),
    );
  } else {
    const api = strategy === 'promise-all' ? clients.api : clients.unpooled;
    work = promiseAllFanOut(clients.dynamo, api, stack.tableName, channel, JSON.stringify(frame)).then(
      (r) => (outcome = r),
    );
  }
  const reply = await withTimeout(Promise.all([all, work]), timeoutMs, `${strategy} fan-out to ${n}`).catch(
    () => undefined,
  );
  const elapsed = (received === n ? lastAt : performance.now()) - started;
  if (reply && strategy === 'switchboard' && (reply[1] as { type?: string }).type === 'error') outcome.failed += 1;
  subscribers.onFrame = () => undefined;
  await stack.settle(100);
  const counts = await stack.counts();
  const stackErrors = counts.log.filter((line) => /fail|error/i.test(line));
  const error = outcome.firstError ?? stackErrors[0];
  if (error) console.log(`   ${strategy} N=${n}: ${error}`);
  return {
    strategy,
    n,
    ms: elapsed,
    missing: n - received,
    failed: outcome.failed + stackErrors.length,
    ...(error ? { error } : {}),
    scans: counts.dynamodb?.requests.Scan ?? 0,
    queries: counts.dynamodb?.requests.Query ?? 0,
    warnings: warnings(),
  };
}

function summarise(runs: Run[], settings: FanOutSettings, overheadMs: number): FanOutSummary {
  const rows: string[][] = [];
  let ratioAtLargest = Number.NaN;
  let ratioAtLargestNet = Number.NaN;
  let vsSameConcurrencyAtLargest = Number.NaN;
  let errors = 0;
  const largest = Math.max(...settings.sizes);
  for (const n of settings.sizes) {
    const ideal = (n * settings.latencyMs) / settings.concurrency;
    const board = median(runs.filter((r) => r.strategy === 'switchboard' && r.n === n).map((r) => r.ms));
    if (n === largest) {
      ratioAtLargest = board / ideal;
      ratioAtLargestNet = (board - overheadMs) / ideal;
      vsSameConcurrencyAtLargest =
        board / median(runs.filter((r) => r.strategy === 'promise-all' && r.n === n).map((r) => r.ms));
    }
    for (const strategy of Object.keys(LABELS) as Strategy[]) {
      const mine = runs.filter((r) => r.strategy === strategy && r.n === n);
      if (mine.length === 0) continue;
      const time = median(mine.map((r) => r.ms));
      const missing = mine.reduce((sum, r) => sum + r.missing, 0);
      const failed = mine.reduce((sum, r) => sum + r.failed, 0);
      if (strategy === 'switchboard') errors += missing + failed;
      rows.push([
        String(n),
        LABELS[strategy],
        `${ms(time)}${mine.length > 1 ? ` (${mine.length} runs)` : ''}`,
        ms(ideal),
        ratio(time / ideal),
        ratio(time / board),
        `${median(mine.map((r) => r.scans))} / ${median(mine.map((r) => r.queries))}`,
        `${missing} / ${failed}${mine.some((r) => r.warnings > 0) ? ` (${Math.max(...mine.map((r) => r.warnings))} SDK socket warnings)` : ''}`,
      ]);
    }
  }
  return {
    largest,
    ratioAtLargest,
    ratioAtLargestNet,
    vsSameConcurrencyAtLargest,
    overheadMs,
    errors,
    table: {
      title: `1. Fan-out of one message, @connections latency ${settings.latencyMs} ms, concurrency ${settings.concurrency}`,
      headers: [
        'N',
        'strategy',
        'time to last delivery (median)',
        'ideal N x L / C',
        'vs ideal',
        'vs Switchboard',
        'Scans / Queries',
        'missing / failed',
      ],
      rows,
      notes: [
        ...[...new Set(runs.filter((r) => r.error).map((r) => `${LABELS[r.strategy]}, N=${r.n}: ${r.error}`))]
          .slice(0, 5)
          .map((e) => `Failure seen: ${e}`),
        'Switchboard: the publisher sends a `publish` frame; the clock runs until the last subscriber has the message (rate limit, sequence number, store and fan-out included).',
        'Alternatives run in the bench process with the real `@aws-sdk/client-apigatewaymanagementapi` client against the same local `@connections` endpoint, after a Scan of the same table.',
        `A publish to a topic without subscribers (rate limit, sequence number, idempotency claim, store, one empty Query) takes ${ms(overheadMs)} here (median of 3 after 2 warm-ups): Switchboard's fixed cost, included in its times above. At N = ${largest} without it: ${ratio(ratioAtLargestNet)} of ideal.`,
        `The sequential loop runs once per N up to ${settings.sequentialMax} (it takes N x L). Ideal is what ${settings.concurrency} calls in flight at ${settings.latencyMs} ms each allow.`,
      ],
    },
  };
}
