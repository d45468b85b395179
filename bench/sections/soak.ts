import WebSocket from 'ws';
import { type ChildStack, startChildStack } from '../lib/child-stack';
import { sessionToken } from '../lib/client-pool';
import { int, mb, ms, sleep, withTimeout } from '../lib/stats';
import type { Table } from '../lib/table';

export interface SoakSettings {
  /** Connect, chat, disconnect cycles measured. */
  cycles: number;
  /** Cycles before the first sample, so that every function's modules are loaded and warm. */
  warmUp: number;
  /** Cycles in flight at once. */
  concurrency: number;
  /** Samples taken at these fractions of `cycles` (1 is always taken). */
  samples: number;
}

interface Sample {
  cycles: number;
  rss: number;
  heapUsed: number;
  external: number;
  seconds: number;
}

export interface SoakSummary {
  table: Table;
  cycles: number;
  failed: number;
  /** Heap in use after a full GC, growth per cycle from the first sample to the last (bytes). */
  heapPerCycle: number;
  before: Sample;
  after: Sample;
}

/** How long the stack gets to finish the last `$disconnect`s before a sample. */
const DRAIN_MS = 2000;

/** One cycle: open (resuming one user), send a chat message and wait for it to come back, close and wait. */
async function cycle(wsUrl: string, token: string, n: number): Promise<void> {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  const id = `soak-${n}`;
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => socket.send(JSON.stringify({ action: 'sendmessage', message: `soak ${n}`, id })));
        socket.on('message', (data: WebSocket.RawData) => {
          const frame = JSON.parse(String(data)) as { type?: string; id?: unknown; code?: unknown };
          if (frame.type === 'chat' && frame.id === id) resolve();
          if (frame.type === 'error') reject(new Error(`error frame ${String(frame.code)}`));
        });
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`handshake ${response.statusCode}`)),
        );
        socket.once('error', reject);
      }),
      15_000,
      `soak cycle ${n}`,
    );
  } finally {
    const closed = new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) resolve();
      else socket.once('close', () => resolve());
    });
    socket.close();
    await withTimeout(closed, 5000, 'close').catch(() => socket.terminate());
  }
}

/** Runs cycles `from` to `to` (exclusive) with `concurrency` in flight; counts failures by reason into `failures`. */
async function run(
  wsUrl: string,
  token: string,
  from: number,
  to: number,
  concurrency: number,
  failures: Map<string, number>,
): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next;
      next += 1;
      await cycle(wsUrl, token, n).catch((error: unknown) => {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\d+/g, 'N');
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `seconds`: time spent running cycles so far, without the pauses for samples. */
async function sample(stack: ChildStack, cycles: number, seconds: number): Promise<Sample> {
  await sleep(DRAIN_MS);
  const memory = await stack.memory();
  return { cycles, rss: stack.rss(), heapUsed: memory.heapUsed, external: memory.external, seconds };
}

/**
 * Section 6: a long run of connect / chat / disconnect cycles against the local stack (in a child process
 * started with --expose-gc), with its RSS and its heap after a forced GC sampled along the way. A leak shows
 * as heap that keeps growing per cycle; the data the app keeps on purpose (each chat message, its idempotency
 * record and the closed connection's session record, in dynalite's in-memory store) grows it a little too.
 */
export async function runSoak(settings: SoakSettings): Promise<SoakSummary> {
  const stack = await startChildStack({ env: { CHAT_RATE_PER_SECOND: '1000', CHAT_BURST: '1000' } });
  try {
    const token = await sessionToken(stack.wsUrl);
    const failures = new Map<string, number>();
    await run(stack.wsUrl, token, 0, settings.warmUp, settings.concurrency, failures);
    const samples: Sample[] = [await sample(stack, 0, 0)];
    const marks = Array.from({ length: settings.samples }, (_, i) =>
      Math.round((settings.cycles * (i + 1)) / settings.samples),
    );
    let done = 0;
    let runningMs = 0;
    for (const mark of marks) {
      const started = performance.now();
      await run(stack.wsUrl, token, settings.warmUp + done, settings.warmUp + mark, settings.concurrency, failures);
      runningMs += performance.now() - started;
      done = mark;
      samples.push(await sample(stack, done, runningMs / 1000));
    }
    const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
    const reasons = [...failures].map(([reason, count]) => `${reason} (${int(count)})`).join(', ');
    const before = samples[0] as Sample;
    const after = samples[samples.length - 1] as Sample;
    const heapPerCycle = (after.heapUsed - before.heapUsed) / Math.max(1, after.cycles);
    const rows = samples.map((s) => [
      int(s.cycles),
      mb(s.rss),
      mb(s.heapUsed),
      mb(s.external),
      s.cycles ? `${((s.heapUsed - before.heapUsed) / s.cycles).toFixed(0)} B` : '-',
      s.cycles ? `${int(s.cycles / Math.max(0.001, s.seconds))}/s` : '-',
    ]);
    return {
      cycles: after.cycles,
      failed,
      heapPerCycle,
      before,
      after,
      table: {
        title: `6. Soak: ${int(settings.cycles)} connect / chat / disconnect cycles against the local stack`,
        headers: ['cycles', 'RSS', 'heap after GC', 'external after GC', 'heap growth per cycle', 'cycles/s'],
        rows,
        notes: [
          `Each cycle opens a connection (resuming one session token), sends \`sendmessage\` and waits for its own \`chat\` frame, closes and waits for the close; ${settings.concurrency} cycles in flight; ${int(settings.warmUp)} warm-up cycles before the first row.`,
          `Every sample waits ${DRAIN_MS / 1000} s for the last \`$disconnect\`s, then forces a full GC in the stack process (--expose-gc) and reads \`process.memoryUsage()\`; RSS from /proc. Failed cycles: ${int(failed)}${failed ? `: ${reasons}` : ''}.`,
        ],
      },
    };
  } finally {
    await stack.stop();
  }
}

/** The soak section of BENCHMARKS.md. */
export function renderSoakText(summary: SoakSummary): string {
  const { before, after, heapPerCycle } = summary;
  return [
    `From the first row to the last, the heap after GC went from ${mb(before.heapUsed)} to ${mb(after.heapUsed)}`,
    `(${heapPerCycle.toFixed(0)} bytes per cycle) and RSS from ${mb(before.rss)} to ${mb(after.rss)} over ${int(after.cycles)} cycles`,
    `in ${ms(after.seconds * 1000)}. What a cycle keeps on purpose: a chat message and its idempotency record, and`,
    "the closed connection's session record, in dynalite's in-memory store (TTL is not enforced locally). Heap that",
    'kept growing well beyond that per cycle would be a leak: dynalite 4.0.0 left every query iterator open, each holding',
    'a snapshot of the store, until `patches/dynalite+4.0.0.patch` (`tests/local/dynamo-iterators.test.ts` guards it).',
  ].join('\n');
}
