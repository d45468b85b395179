import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './lib/child-stack';
import { int, mb, ms, ratio } from './lib/stats';
import { type Table, toMarkdown } from './lib/table';
import type { BurstSummary } from './sections/bursts';
import type { CapacitySummary } from './sections/capacity';
import type { ColdStartSummary } from './sections/cold-start';
import type { CostSummary } from './sections/cost';
import type { FanOutSummary } from './sections/fan-out';
import type { LargeFanOutSummary } from './sections/large-fan-out';
import type { PeerSummary } from './sections/peers';
import { renderSoakText, type SoakSummary } from './sections/soak';
import type { BenchSettings } from './settings';

export interface Results {
  quick: boolean;
  failures: string[];
  durationS?: number;
  fanOut?: FanOutSummary;
  cost?: CostSummary;
  coldStart?: ColdStartSummary;
  capacity?: CapacitySummary;
  peers?: PeerSummary;
  soak?: SoakSummary;
  largeFanOut?: LargeFanOutSummary;
  bursts?: BurstSummary;
}

/** The API Gateway account-level throttle (requests per second, per Region) that `@connections` calls count against. */
const ACCOUNT_RPS = 10_000;

export function machine(): { summary: string; cpu: string; cores: number; node: string; memory: string } {
  const list = cpus();
  const cpu = list[0]?.model.trim() ?? 'unknown CPU';
  const node = process.version;
  const memory = mb(totalmem());
  return { summary: `${cpu} x ${list.length}, ${memory} RAM, Node ${node}`, cpu, cores: list.length, node, memory };
}

function zodVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'zod', 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '4';
  }
}

/** Why zod dominates a bundle, when it does (from the esbuild metafile's import chain). */
function zodNote(dominant: string): string {
  if (!dominant.startsWith('zod')) return '';
  return [
    "- **zod's locales**: zod/mini's and zod/v4/core's entry points re-export every locale (`export * as locales`), and",
    `  zod ${zodVersion()} does not declare \`sideEffects: false\`, so esbuild keeps all of them (about 258 KB minified) even`,
    "  where only English is used. Marking zod side-effect free in a build plugin (not possible with SAM's esbuild",
    '  properties; a Makefile build would do) or a validator without bundled locales would remove most of the zod share.',
    '',
  ].join('\n');
}

const verdict = (met: boolean | undefined): string => (met === undefined ? 'not run' : met ? 'met' : 'MISSED');

/** The cost section's rows of the targets table. */
export function costTargetRows(c: CostSummary | undefined): string[][] {
  const pq = c?.publishQueries ?? [];
  const linear = pq.every(({ n, queries }) => queries <= Math.floor(n / (c?.pageSize ?? 100)) + 1);
  return [
    ['zero Scans in any operation', c ? String(c.scans) : '-', verdict(c && c.scans === 0)],
    [
      `publish to N reads O(N / ${c?.pageSize ?? 100}) Query pages`,
      pq.map(({ n, queries }) => `N=${n}: ${queries}`).join(', ') || '-',
      verdict(c && linear),
    ],
  ];
}

export const COST_HEADING = '## 2. Cost per operation';

/** Section 2 of BENCHMARKS.md; `npm run bench -- --only cost` rewrites only this section (and its target rows). */
export function renderCost(c: CostSummary, alone?: { command: string; date: string }): string {
  return `${COST_HEADING}

Measured by \`npm run bench\`, or alone with \`npm run bench -- --only cost\` (about a minute; it rewrites only this
section of BENCHMARKS.md and its rows in the targets table).
${alone ? `\nThis section was measured on its own: \`${alone.command}\` on ${alone.date}.\n` : ''}
${toMarkdown(c.table)}

**What it means.** Every request path is a key lookup or a Query on one partition: no operation scans, so cost
does not grow with the table. A publish to N subscribers reads ceil(N / ${c.pageSize}) Query pages (plus one empty page when
N is an exact multiple of the page size) and makes N \`@connections\` calls; the calls, not DynamoDB, dominate
its price and its time. A new user's connect writes its records and hands one presence change to the presence
queue; the rows count what the presence worker then does for it too: it reads the joining connection's
membership and what the room was told, records the join, and tells the room (one \`@connections\` call per other
connection in it: the delivery itself, which under a burst every join of the same interval shares, section 8).
None of those calls is made inside the handshake (8d). A last disconnect does the same for the leave. Tele-read at
the default FEED_CHUNK_SIZE=1 costs one conditional UpdateItem and one \`@connections\` message per character; a
larger chunk divides both.
`;
}

export function targetsTable(r: Results, s: BenchSettings): Table {
  const rows: string[][] = [];
  const f = r.fanOut;
  rows.push([
    `fan-out to ${int(f?.largest ?? 2000)} within 1.3x of ideal (N x ${s.fanOut.latencyMs} ms / ${s.fanOut.concurrency})`,
    f
      ? `${ratio(f.ratioAtLargest)} (${ratio(f.ratioAtLargestNet)} without the ${ms(f.overheadMs)} publish overhead)`
      : '-',
    verdict(f && f.ratioAtLargest <= 1.3),
  ]);
  rows.push(['fan-out: no missing deliveries, no errors', f ? `${f.errors}` : '-', verdict(f && f.errors === 0)]);
  for (const row of costTargetRows(r.cost)) rows.push(row);
  for (const row of coldStartTargetRows(r.coldStart)) rows.push(row);
  const cap = r.capacity;
  if (cap) {
    rows.push([
      `idle connections held: ${int(cap.idleRssAtMax.count)}`,
      `Switchboard ${mb(cap.idleRssAtMax.switchboard)} RSS, plain ws ${mb(cap.idleRssAtMax.plain)}`,
      verdict(Number.isFinite(cap.idleRssAtMax.switchboard)),
    ]);
    rows.push([
      `chat, ${s.capacity.chatClients} clients: sustained messages/s (floor: plain ws)`,
      `Switchboard ${cap.chatMax.switchboard}/s, plain ws ${cap.chatMax.plain}/s`,
      'reported',
    ]);
  }
  for (const row of r.peers?.tables.length ? peerTargetRows(r.peers) : []) rows.push(row);
  const soak = r.soak;
  if (soak) {
    rows.push([
      `soak: ${int(soak.cycles)} connect / chat / disconnect cycles, heap after GC`,
      `${mb(soak.before.heapUsed)} -> ${mb(soak.after.heapUsed)} (${soak.heapPerCycle.toFixed(0)} B per cycle), RSS ${mb(soak.before.rss)} -> ${mb(soak.after.rss)}, ${int(soak.failed)} failed`,
      'reported',
    ]);
  }
  for (const row of r.bursts?.targets ?? []) rows.push(row);
  return { title: 'Targets', headers: ['target', 'measured', 'verdict'], rows };
}

/** The cold-start rows of the targets table; `npm run bench -- --only coldstart` replaces just these. */
export function coldStartTargetRows(cs: ColdStartSummary | undefined): string[][] {
  return [
    [
      'cold start: every bundle under 300 KB (as template.yaml builds it)',
      cs ? `largest ${int(cs.maxBytes / 1024)} KB` : '-',
      verdict(cs && cs.maxBytes < 300 * 1024),
    ],
    [
      'cold start: module init at most 1.3x its floor (same SDK clients, nothing else), same run',
      cs ? `largest ${ratio(cs.maxRatio)} (${cs.maxRatioFunction})` : '-',
      verdict(cs && cs.maxRatio <= 1.3),
    ],
  ];
}

function peerTargetRows(peers: PeerSummary): string[][] {
  return peers.targets ?? [];
}

export function renderReport(r: Results, s: BenchSettings, command: string): string {
  const m = machine();
  const sections: string[] = [];
  const f = r.fanOut;
  const perInvocation = (s.fanOut.concurrency * 1000) / s.fanOut.latencyMs;
  sections.push(`# Benchmarks

Measured by \`${command}\` on ${new Date().toISOString().slice(0, 10)}${r.quick ? ' (the quick run: smaller sizes, fewer repetitions; run the full one before quoting figures)' : ''}.

| | |
|---|---|
| CPU | ${m.cpu} x ${m.cores} (\`os.cpus()\`) |
| memory | ${m.memory} |
| Node | ${m.node} |
| command | \`${command}\` |
| wall time | ${r.durationS === undefined ? '-' : `${Math.round(r.durationS)} s`} |

This machine is shared and noisy: every comparison below is measured side by side in the same run, and
times are medians. Read the ratios, not the absolute times. Everything runs on 127.0.0.1: Switchboard's
local stack (\`packages/local/src/stack.ts\`, from \`template.yaml\`) in a child process of its own, the clients in the
bench process. Run it again with \`npm run bench\` (about 45 minutes on 2 cores, half of it the soak of section 6) or \`npm run bench -- --quick\`
(under a minute; it writes BENCHMARKS.quick.md, not this page, unless given \`--write\`); the code is in \`bench/\`, one file per section.
${r.failures.length ? `\n**Sections that failed in this run:** ${r.failures.join('; ')}\n` : ''}
${toMarkdown(targetsTable(r, s))}
`);

  if (f) {
    sections.push(`## 1. Fan-out under realistic latency

${toMarkdown(f.table)}

**What it means.** API Gateway's \`@connections\` callbacks cost about ${s.fanOut.latencyMs} ms each from Lambda, so a
broadcast is bound by how many calls are in flight, not by CPU: the ideal time is N x L / C. Switchboard keeps
C = FAN_OUT_CONCURRENCY (${s.fanOut.concurrency}) calls in flight while it pages through the subscribers with Query.
The sequential loop of the chat seeds costs N x L (${ms(2000 * s.fanOut.latencyMs)} for 2,000 subscribers, longer than
most Lambda timeouts allow: this template's is 10 s). The unbounded \`Promise.all\` of the topic seed and of
AWS's chat sample is in fact bounded by the SDK's default HTTP agent at 50 sockets (the SDK only warns when a
call waits more than about 3 s for one), and it must first Scan the whole table. With the cap lifted
(\`maxSockets: Infinity\`) it is the fastest here, N calls in flight at once; in AWS that is N simultaneous TLS
connections from one Lambda and a burst of N requests against the account's throttle.

**Reading the ratio to ideal.** The local \`@connections\` endpoint, the SDK clients that sign every call, the
WebSocket gateway and ${int(f.largest)} receiving clients share this machine's ${m.cores} cores, so no strategy reaches the
ideal here: the Scan + \`Promise.all\` with 50 sockets, the same concurrency, takes ${ratio(f.ratioAtLargest / f.vsSameConcurrencyAtLargest)} of it at N = ${int(f.largest)}.
Against that baseline, measured in the same run, Switchboard takes ${ratio(f.vsSameConcurrencyAtLargest)}; its own fixed cost is the publish
before the fan-out (${ms(f.overheadMs)}: rate limit, sequence number, idempotency claim, store), and that locally its
\`@connections\` client runs inside the stack process, on the same core as the endpoint it calls, while the
alternatives' client runs in the bench process. In AWS the callbacks run on
API Gateway's side and the ${s.fanOut.latencyMs} ms is network time, so expect the ratio to ideal there to be nearer the
same-concurrency figure than this table's. ${f.ratioAtLargest > 1.3 ? 'Where the target is missed, that is why: the local machine, not the number of calls in flight, sets the pace.' : ''}

**In AWS.** \`@connections\` calls count against the account-level API Gateway throttle of ${int(ACCOUNT_RPS)}
requests per second per Region, shared with every other API of the account. One publish to N subscribers is N
calls, so the account can sustain about ${int(ACCOUNT_RPS)} / N broadcasts per second: ${int(ACCOUNT_RPS / 100)} per second to 100 subscribers,
${int(ACCOUNT_RPS / 1000)} to 1,000, ${int(ACCOUNT_RPS / 2000)} to 2,000, one per second to 10,000. One invocation with C = ${s.fanOut.concurrency} at
${s.fanOut.latencyMs} ms issues at most ${int(perInvocation)} calls per second, so ${int(ACCOUNT_RPS / perInvocation)} concurrent
broadcasts saturate the account; raising C makes each broadcast faster but does not raise that ceiling. With
the 10 s function timeout, one invocation can reach about ${int(10 * perInvocation * 0.8)} subscribers (80 % of 10 s x ${int(perInvocation)}/s);
beyond that a broadcast has to be split across invocations. Throttled calls (429) are counted as \`failed\`
and the broadcast goes on: they are not retried.
`);
  }

  if (r.cost) sections.push(renderCost(r.cost));

  if (r.coldStart) sections.push(renderColdStart(r.coldStart));

  if (r.capacity) {
    sections.push(`## 4. Local capacity

${r.capacity.tables.map(toMarkdown).join('\n\n')}

**What it means.** These figures are for the local stack (\`npm start\`), which runs every handler in one Node
process next to an in-memory DynamoDB: they say how many browsers a developer machine can hold in a demo or a
test, not what AWS can do. In AWS the connections live in API Gateway (no memory of yours), handlers run in as
many Lambda containers as there are concurrent frames, and DynamoDB scales out; the limits there are the ones
in sections 1 and 2 (the callback throttle, the stage's route throttle of 1,000 frames per second with a burst
of 500 in \`template.yaml\`, and the 10 s timeout per broadcast). The plain \`ws\` server is the floor of this
machine: the gap between it and the local stack is the cost of emulating Lambda, DynamoDB and \`@connections\` on
one core.

**What limits the local stack.** Each function runs in a container of its own (a worker thread), but all of them,
dynalite, the SQS emulator and the gateway share this machine's cores. A new user's connect is a few DynamoDB
requests and one SQS message, each signed by the AWS SDK, plus its share of the presence worker's work
(section 2). CPU profiles of bursts of connects (section 8) put the SDK's client-side work, V8's compilation and
garbage collection, and dynalite on top; the app's own code (src/) is a small part. Chat is bounded the same
way: one \`sendmessage\` is a few DynamoDB requests and one signed \`@connections\` call per client in the room.
The stack's memory after a full GC stays small (the heap column) while RSS grows with the peak of the connect
burst. When all idle clients close at once, every \`$disconnect\` runs in the one container of its function, a
bounded number at a time, the rest queued; in AWS each concurrent invocation has its own container and client.
`);
  }

  if (r.peers) {
    sections.push(renderPeers(r.peers));
  } else if (r.quick) {
    sections.push('## 5. Peer comparison\n\nSkipped with `--quick`.\n');
  }
  if (r.soak) sections.push(renderSoak(r.soak));
  if (r.largeFanOut) sections.push(renderLargeFanOut(r.largeFanOut));
  if (r.bursts) sections.push(renderBursts(r.bursts));
  return `${sections.join('\n')}`;
}

/** Section 3 of BENCHMARKS.md; `npm run bench -- --only coldstart` rewrites only this section (and its target rows). */
export function renderColdStart(cs: ColdStartSummary, alone?: { command: string; date: string }): string {
  const maps = cs.sourceMapsFlag
    ? `template.yaml sets \`NODE_OPTIONS: --enable-source-maps\` by default: with the flag, init takes ${ratio(cs.sourceMapsRatio)} of its time without it (median over the functions).`
    : `template.yaml leaves \`--enable-source-maps\` off by default (parameter \`SourceMapsInStackTraces\`): the flag would make init take ${ratio(cs.sourceMapsRatio)} of its time without it (median over the functions), for stack traces that point into the TypeScript sources.`;
  const tracer =
    cs.tracerRatio === undefined
      ? 'Powertools Tracer is not installed, so its probe was not measured.'
      : `Powertools Tracer, bundled alone over the same floor, takes ${ratio(cs.tracerRatio)} of the floor's init; ${cs.tracerInFunctions ? 'some functions bundle it' : 'no function bundles it'}.`;
  return `## 3. Cold start

Measured by \`npm run bench\`, or alone with \`npm run bench -- --only coldstart\` (2 to 6 minutes; it rewrites only this
section of BENCHMARKS.md and its rows in the targets table).
${alone ? `\nThis section was measured on its own: \`${alone.command}\` on ${alone.date}.\n` : ''}
${toMarkdown(cs.table)}

**What it means.** Lambda's cold start is the package download, the runtime start and this module
initialisation; only the last is measured here, and against a floor that any function using the same SDK
clients pays anyway, so the ratio is the code's own share whatever the machine. The largest bundle is made of
${cs.dominant}.

- ${maps}
- ${tracer}
${zodNote(cs.dominant)}- Lambda records each invocation in X-Ray by itself when \`TracingMode\` is \`Active\`, and the AWS SDK passes the
  trace header on (to the feed worker too); what Tracer would add is a subsegment around the handler and, through
  \`cls-hooked\`, an \`async_hooks\` hook that taxes every Promise in the process (about 8 % of the local stack's CPU
  in a profile of 1,000 connects). The functions do not use it.
- What is left above the floor: building the clients at module scope (the composition root makes the DynamoDB and
  Lambda clients in every function, about a twentieth of the floor on its own), zod's schemas, Powertools Logger
  and Metrics. A composition root per function would drop the Lambda client from all but two.
- The ratios move by about 0.1 from run to run on this shared machine (the Tracer probe measured 1.08x to 1.19x
  in three runs of one hour): read a difference smaller than that as noise.
`;
}

/** Section 5 of BENCHMARKS.md; `npm run bench -- --only peers` rewrites only this section. */
/** `alone`: this section was measured on its own (`--only peers`), on another run than the rest of the page. */
export function renderPeers(peers: PeerSummary, alone?: { command: string; date: string }): string {
  if (peers.skipped) return `## 5. Peer comparison\n\nSkipped: ${peers.skipped}\n`;
  const targets: Table = {
    title: '5. Peer targets',
    headers: ['target', 'measured', 'verdict'],
    rows: peers.targets ?? [],
  };
  return `## 5. Peer comparison

Measured by \`npm run bench\` (full run only; skipped with \`--quick\`), or alone with \`npm run bench -- --only peers\`
(about 5 minutes; it rewrites only this section of BENCHMARKS.md; \`PEER_CLIENTS=200\` for a smaller trial). The peers are
installed by the bench with \`npm install --prefix <os.tmpdir()>/switchboard-bench-peers/<versions> --no-audit --no-fund\`,
outside the project's dependencies, and kept there for the next run; a failed install skips that peer with one line.
Installed: ${(peers.versions ?? []).map((v) => `\`${v}\``).join(', ') || 'none'}.
${alone ? `\nThis section was measured on its own: \`${alone.command}\` on ${alone.date}.\n` : ''}
${peers.tables.map(toMarkdown).join('\n\n')}

${toMarkdown(targets)}

${peers.text ?? ''}
`;
}

/** Section 6 of BENCHMARKS.md; `npm run bench -- --only soak` rewrites only this section. */
export function renderSoak(soak: SoakSummary, alone?: { command: string; date: string }): string {
  return `## 6. Soak

Measured by \`npm run bench\` (${int(soak.cycles)} cycles; \`SOAK_CYCLES=<n>\` for another count), or alone with
\`npm run bench -- --only soak\` (about half an hour on 2 shared cores; it rewrites only this section of BENCHMARKS.md).
${alone ? `\nThis section was measured on its own: \`${alone.command}\` on ${alone.date}.\n` : ''}
${toMarkdown(soak.table)}

${renderSoakText(soak)}
`;
}

export const LARGE_FAN_OUT_HEADING = '## 7. Publishing to large channels';

/** Section 7 of BENCHMARKS.md; `npm run bench -- --only largefanout` rewrites only this section. */
export function renderLargeFanOut(r: LargeFanOutSummary, alone?: { command: string; date: string }): string {
  const verdicts: string[] = [];
  if (r.ratioAt100k !== undefined) {
    verdicts.push(
      `At 100,000 subscribers the last delivery comes ${ratio(r.ratioAt100k)} the throttle floor (target: within 1.3x), ${ratio(r.ratioAt100kFaults ?? Number.NaN)} with 1 % 429s and 1 % 410s, with ${int(r.lostAt100k ?? 0)} lost deliveries in both runs.`,
    );
  }
  if (r.validation) {
    const v = r.validation;
    const within = (x: number): boolean => x >= v.tolerance.low && x <= v.tolerance.high;
    const both = within(v.ratio) && within(v.directRatio);
    verdicts.push(
      `Simulated with the local costs measured around each publish (medians ${v.costs.callMs.toFixed(3)} ms a post, ${v.costs.pageMs.toFixed(2)} ms a page), the real local run took ${v.ratio.toFixed(2)}x the simulated time with the queued workers and ${v.directRatio.toFixed(2)}x with the single invocation: ${both ? 'both inside' : within(v.ratio) || within(v.directRatio) ? 'one outside' : 'both outside'} the stated ${v.tolerance.low}x-${v.tolerance.high}x tolerance.`,
    );
  }
  if (r.largestLocal) {
    verdicts.push(
      `Locally, ${int(r.largestLocal.n)} subscribers got the message through the queue and the worker with ${int(r.largestLocal.missing)} missing and ${int(r.largestLocal.duplicates)} duplicates.`,
    );
  }
  return `${LARGE_FAN_OUT_HEADING}
${alone ? `\nMeasured alone by \`${alone.command}\` on ${alone.date}.\n` : ''}
${r.tables.map(toMarkdown).join('\n\n')}

${verdicts.join(' ')}
`;
}

export const BURSTS_HEADING = '## 8. Bursts of distinct new users';

/** Section 8 of BENCHMARKS.md; `npm run bench -- --only bursts` rewrites only this section (not from `--quick`). */
export function renderBursts(r: BurstSummary, alone?: { command: string; date: string }): string {
  const targets: Table = { title: '8. Burst targets', headers: ['target', 'measured', 'verdict'], rows: r.targets };
  return `${BURSTS_HEADING}

Measured by \`npm run bench\`, or alone with \`npm run bench -- --only bursts\` (it rewrites only this section of
BENCHMARKS.md; \`BURST_USERS=1000x100,5000x100\` and \`BURST_ROOMS=10,100,1000\` set the bursts and room sizes).
${alone ? `\nThis section was measured on its own: \`${alone.command}\` on ${alone.date}.\n` : ''}
${r.tables.map(toMarkdown).join('\n\n')}

${toMarkdown(targets)}

**What it means.** A burst is many people arriving at once, each a new user: the handshake (\`$connect\`) must
cost the same whatever the size of the room, and presence must reach the members of the room coalesced, at
most about one frame per interval (PresenceIntervalSeconds, ${r.intervalMs / 1000} s here), instead of one frame per
arrival. The plain \`ws\` server is this machine's floor for accepting connections; the ratios in 8b are the
cost of emulating API Gateway, Lambda and DynamoDB on the same cores. In 8d, the calls inside the handshake
are what a join costs before the user is in; the total is what telling the room costs, one frame per member
connection, which grows with the room because it is the delivery itself, and under a burst is shared by every
join of the same interval.

**Reading the handshake times.** A batch's handshakes are in flight together and the local stack runs every
\`$connect\` in one container (one worker thread), beside the presence worker, the fan-out worker, dynalite and
the gateway on the same ${machine().cores} cores, so a batch's p99 is close to the time the stack takes to accept the whole batch:
the batch size over its connect rate (8a's last column). The handshake target of 1 s for batches of 100 thus asks
this machine for about 100 new users a second while the presence of the earlier ones is delivered; the plain
\`ws\` server shows what the machine does with no handler at all. In AWS every \`$connect\` runs in a Lambda
container of its own, so a batch costs one handshake's time, not the batch's.

**Fresh and running servers.** On a fresh server the first batches are the slowest, although the room is
still small. Most likely because each function's code (the AWS SDK's above all) runs for the first time, and
V8 compiles it while the burst goes on, in every function's container and on the same cores: a burst after
300 users came and went does not show it. That is a cost of the first seconds
after \`npm start\`, not of the crowd, so the targets judge bursts on a running server (8a's "server
state"), and the fresh one is shown beside them. In AWS a burst meets cold containers too, but each
initialises on its own CPU.
`;
}
