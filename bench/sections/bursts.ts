import { PRESENCE_DEFAULTS } from '../../src/domain/dependencies';
import { startChildStack } from '../lib/child-stack';
import { ClientPool, type OpenResult, sessionToken } from '../lib/client-pool';
import { type PresenceTally, type ReceivedPresence, seesEveryone, tallyPresence } from '../lib/presence-tally';
import { int, median, ms, ratio, sleep, spread } from '../lib/stats';
import type { Table } from '../lib/table';
import { UNLIMITED_RATES } from '../lib/unlimited-rates';
import { startPlain, startSwitchboard, type Target } from './capacity';

export interface BurstSettings {
  /** Each burst: `users` distinct new users, `batch` handshakes in flight at a time. */
  bursts: Array<{ users: number; batch: number }>;
  /** Default-room sizes at which `@connections` calls per join are counted. */
  roomSizes: number[];
  /** Joins measured at each room size, one at a time. */
  joinsPerRoom: number;
  /** A handshake that has not opened by then counts as failed. */
  handshakeTimeoutMs: number;
  /** A burst stops, leaving the rest of its users untried, after this many batches in a row with none connected. */
  giveUpAfterEmptyBatches: number;
  /**
   * Distinct users who connect and leave before each judged burst, so that it meets a running server rather
   * than one whose code has never run (0: none). The first burst size is also run on a fresh server.
   */
  warmUpUsers: number;
}

/** What a member present throughout a burst made of the presence frames it received. */
export interface MemberView extends PresenceTally {
  /** Users of the burst that connected: the ones the member should end up seeing. */
  expected: number;
  seesEveryone: boolean;
  /** From the end of the burst to the last presence frame the member needed (NaN when it never saw everyone). */
  caughtUpMs: number;
  /** Why the wait for presence ended: the member saw everyone, nothing came for QUIET_INTERVALS, or the time limit. */
  waitEnded: 'saw everyone' | 'quiet' | 'time limit';
}

export interface BurstRun {
  server: string;
  users: number;
  batch: number;
  /** Users who came and went before the burst: 0 for a fresh server, whose code runs for the first time. */
  warmedBy: number;
  open: OpenResult;
  /** Only for Switchboard: the plain `ws` server has no presence. */
  member?: MemberView;
}

export interface JoinSample {
  /** Connections in the default room when the user joined. */
  members: number;
  opened: boolean;
  handshakeMs: number;
  /** Member connections that received a presence frame after the join (all of them, unless it timed out). */
  told: number;
  /** `@connections` POSTs that arrived while the joining handshake was in progress. */
  inHandshake: number;
  /** `@connections` POSTs from the start of the handshake until every member was told and the stack was quiet. */
  total: number;
}

export interface BurstSummary {
  tables: Table[];
  /** The section's own targets: [target, measured, verdict]. */
  targets: string[][];
  runs: BurstRun[];
  joins: Array<{ roomSize: number; samples: JoinSample[] }>;
  intervalMs: number;
}

const SWITCHBOARD = 'Switchboard';
/** How long a burst's presence may take to catch up after the last handshake. */
const CATCH_UP_MS = 60_000;
/** Intervals without a presence frame after which a member that has not seen everyone is taken never to. */
const QUIET_INTERVALS = 10;
/** How long the members of a room may take to hear of one join. */
const JOIN_DELIVERY_MS = 30_000;
/** How long the presence of the warm-up's users may take to settle (they all leave at once). */
const WARM_UP_SETTLE_MS = 60_000;

const verdict = (met: boolean | undefined): string => (met === undefined ? 'not run' : met ? 'met' : 'MISSED');

/**
 * Opens a member, then `users` distinct new users (no token: each its own user) in batches, and times each
 * handshake; on Switchboard the member's presence frames are tallied until it sees everyone or presence
 * goes quiet.
 */
async function burst(
  target: Target,
  users: number,
  batch: number,
  settings: BurstSettings,
  intervalMs: number,
  warmedBy: number,
): Promise<BurstRun> {
  const member = new ClientPool();
  const crowd = new ClientPool();
  const presence = target.name === SWITCHBOARD;
  try {
    const first = await member.open(target.wsUrl, 1);
    if (first.opened !== 1) throw new Error(`the member could not connect: ${first.reasons.join(', ')}`);
    // Its own join is behind it before the burst starts.
    await sleep(intervalMs * 2);
    const warmed = warmedBy > 0 ? await warmUp(target, member, warmedBy, batch, settings, intervalMs) : 0;
    const received: ReceivedPresence[] = [];
    member.onFrame = (_index, frame) => {
      if (frame.type !== 'presence') return;
      received.push({
        at: performance.now(),
        tick: frame.tick as number | undefined,
        count: frame.count as number | undefined,
        joined: frame.joined as ReceivedPresence['joined'],
        left: frame.left as ReceivedPresence['left'],
      });
    };
    const open = await crowd.open(
      target.wsUrl,
      users,
      {},
      batch,
      settings.handshakeTimeoutMs,
      settings.giveUpAfterEmptyBatches,
    );
    const ended = performance.now();
    if (!presence) return { server: target.name, users, batch, warmedBy: warmed, open };
    // Presence is asynchronous: wait until the member sees everyone, or nothing has come for QUIET_INTERVALS.
    const lastAt = (): number => received[received.length - 1]?.at ?? 0;
    let sees = false;
    let waitEnded: MemberView['waitEnded'] = 'time limit';
    while (performance.now() - ended < CATCH_UP_MS) {
      sees = seesEveryone(tallyPresence(received, intervalMs), open.opened);
      if (sees) waitEnded = 'saw everyone';
      else if (performance.now() - Math.max(ended, lastAt()) > intervalMs * QUIET_INTERVALS) waitEnded = 'quiet';
      if (waitEnded !== 'time limit') break;
      await sleep(50);
    }
    const tally = tallyPresence(received, intervalMs);
    return {
      server: target.name,
      users,
      batch,
      warmedBy: warmed,
      open,
      member: {
        ...tally,
        expected: open.opened,
        seesEveryone: sees,
        caughtUpMs: sees ? Math.max(0, lastAt() - ended) : Number.NaN,
        waitEnded,
      },
    };
  } finally {
    // The server first, so that a crowd closing at once does not keep it busy while it stops.
    await target.stop();
    crowd.terminateAll();
    member.terminateAll();
  }
}

/**
 * Lets `users` distinct new users connect (in batches, as a burst does) and leave, then waits until the
 * member's last word on the room is that it holds only the member (or it heard nothing: the worker may see
 * the joins only after the leaves) and presence has been quiet for two intervals since they left: the burst
 * that follows then meets a server that has run its code, with nothing of the warm-up still in flight.
 * Returns how many connected; one that failed is not worth losing the section for.
 */
async function warmUp(
  target: Target,
  member: ClientPool,
  users: number,
  batch: number,
  settings: BurstSettings,
  intervalMs: number,
): Promise<number> {
  let last = { tick: 0, count: 1, at: performance.now() };
  member.onFrame = (_index, frame) => {
    if (frame.type !== 'presence' || typeof frame.tick !== 'number' || frame.tick < last.tick) return;
    last = { tick: frame.tick, count: frame.count as number, at: performance.now() };
  };
  const visitors = new ClientPool();
  let connected = 0;
  try {
    const opened = await visitors.open(target.wsUrl, users, {}, batch, settings.handshakeTimeoutMs);
    connected = opened.opened;
    if (connected !== users)
      console.warn(`  warm-up on ${target.name}: ${connected} of ${users} connected (${opened.reasons.join(', ')})`);
  } finally {
    await visitors.closeAll();
  }
  const closed = performance.now();
  if (last.at < closed) last = { ...last, at: closed };
  if (target.name !== SWITCHBOARD) {
    await sleep(intervalMs * 2);
    return connected;
  }
  const deadline = performance.now() + WARM_UP_SETTLE_MS;
  while (!(last.count === 1 && performance.now() - last.at > intervalMs * 2)) {
    if (performance.now() > deadline)
      throw new Error(`warm-up: the member still counts ${last.count} in the room after ${WARM_UP_SETTLE_MS} ms`);
    await sleep(50);
  }
  member.onFrame = () => undefined;
  return connected;
}

/** `@connections` POSTs whose arrival time lies in [from, to] (all `Date.now()` milliseconds). */
export function callsWithin(times: number[], from: number, to: number): number {
  return times.filter((t) => t >= from && t <= to).length;
}

/**
 * Grows the default room with tabs of one session (so that filling it announces nothing) and, at each size,
 * lets `joinsPerRoom` distinct new users join one at a time, counting the `@connections` POSTs during each
 * handshake and until every member was told and the stack is quiet again.
 */
async function perJoin(
  settings: BurstSettings,
  intervalMs: number,
): Promise<Array<{ roomSize: number; samples: JoinSample[] }>> {
  const stack = await startChildStack({ env: UNLIMITED_RATES, countConnections: true });
  const tabs = new ClientPool();
  const joiners = new ClientPool();
  const rows: Array<{ roomSize: number; samples: JoinSample[] }> = [];
  // Presence since the last mark, per member connection: tabs first, then the users who joined before.
  let told = new Set<string>();
  tabs.onFrame = (index, frame) => {
    if (frame.type === 'presence') told.add(`t${index}`);
  };
  joiners.onFrame = (index, frame) => {
    if (frame.type === 'presence') told.add(`j${index}`);
  };
  try {
    const token = await sessionToken(stack.wsUrl);
    for (const roomSize of [...settings.roomSizes].sort((a, b) => a - b)) {
      const need = roomSize - tabs.size - joiners.size;
      if (need > 0) {
        const filled = await tabs.open(stack.wsUrl, need, { token }, 50, 30_000);
        if (filled.failed > 0) throw new Error(`filling a room of ${roomSize}: ${filled.reasons.join(', ')}`);
      }
      await stack.settle(intervalMs + 1000, 60_000);
      const samples: JoinSample[] = [];
      for (let j = 0; j < settings.joinsPerRoom; j += 1) {
        const members = tabs.size + joiners.size;
        await stack.reset();
        told = new Set();
        const from = Date.now();
        const opened = await joiners.open(stack.wsUrl, 1, {}, 1, settings.handshakeTimeoutMs);
        const to = Date.now();
        // Until every member connection has had a presence frame (the worker, or fan-out jobs, may take a few
        // intervals), then until no call has been made for half an interval.
        const deadline = Date.now() + JOIN_DELIVERY_MS;
        while (told.size < members && Date.now() < deadline) await sleep(50);
        await stack.settle(intervalMs / 2, 60_000);
        const counts = (await stack.counts()).connections;
        samples.push({
          members,
          opened: opened.opened === 1,
          handshakeMs: opened.handshakeMs[0] ?? Number.NaN,
          told: told.size,
          inHandshake: callsWithin(counts?.postTimes ?? [], from, to),
          total: counts?.requests['POST @connections'] ?? 0,
        });
      }
      rows.push({ roomSize, samples });
    }
  } finally {
    await stack.stop();
    tabs.terminateAll();
    joiners.terminateAll();
  }
  return rows;
}

const connectsPerSecond = (open: OpenResult): number => (open.opened / open.ms) * 1000;

/** Which server a burst met: a running one (after the warm-up's users came and went) or a fresh one. */
const serverState = (run: BurstRun): string =>
  run.warmedBy > 0 ? `running (${int(run.warmedBy)} came and went)` : 'fresh (first traffic)';

function burstRow(run: BurstRun): string[] {
  const h = spread(run.open.handshakeMs);
  return [
    run.server,
    serverState(run),
    `${int(run.users)} (batches of ${int(run.batch)})`,
    int(run.open.opened),
    `${int(run.open.failed)}${run.open.notTried ? ` (+${int(run.open.notTried)} not tried)` : ''}`,
    ms(h.p50),
    ms(h.p95),
    ms(h.p99),
    `${ms(median(run.open.batchMs))} / ${ms(Math.max(...run.open.batchMs))}`,
    Number.isFinite(connectsPerSecond(run.open)) && run.open.opened > 0 ? `${int(connectsPerSecond(run.open))}/s` : '-',
  ];
}

function ratioRow(stack: BurstRun, plain: BurstRun): string[] {
  const s = spread(stack.open.handshakeMs);
  const p = spread(plain.open.handshakeMs);
  return [
    serverState(stack),
    `${int(stack.users)} (batches of ${int(stack.batch)})`,
    ratio(s.p50 / p.p50),
    ratio(s.p99 / p.p99),
    ratio(median(stack.open.batchMs) / median(plain.open.batchMs)),
    ratio(connectsPerSecond(plain.open) / connectsPerSecond(stack.open)),
  ];
}

function memberRow(run: BurstRun): string[] {
  const m = run.member;
  if (!m) return [];
  return [
    serverState(run),
    int(run.users),
    int(m.frames),
    ms(m.spanMs),
    int(m.slots),
    m.framesPerInterval.toFixed(2),
    int(m.maxInOneInterval),
    ms(m.minGapMs),
    `${int(m.netJoined)} / ${int(m.expected)}`,
    m.lastCount === undefined ? '-' : int(m.lastCount),
    m.stale ? `${int(m.stale)} stale` : '0',
    m.seesEveryone
      ? `yes, ${ms(m.caughtUpMs)} after the last handshake`
      : m.waitEnded === 'quiet'
        ? `no, nothing more for ${QUIET_INTERVALS} intervals`
        : `no, still short ${CATCH_UP_MS / 1000} s after the last handshake`,
  ];
}

const onServer = (run: BurstRun): string => (run.warmedBy > 0 ? ' (running server)' : ' (fresh server)');

/** The targets one burst is judged by: [target, measured, verdict] rows. */
export function burstTargets(stackRun: BurstRun, plainRun: BurstRun, intervalMs: number): string[][] {
  const { users, batch } = stackRun;
  const all = stackRun.open.opened === users;
  const p99 = spread(stackRun.open.handshakeMs).p99;
  const rows = [
    [
      users <= 1000
        ? `bursts: ${int(users)} new users in batches of ${int(batch)} all connect, handshake p99 under 1 s${onServer(stackRun)}`
        : `bursts: ${int(users)} new users in batches of ${int(batch)} all connect${onServer(stackRun)}`,
      `${int(stackRun.open.opened)} of ${int(users)} connected, p99 ${ms(p99)} (plain ws: ${int(plainRun.open.opened)}, p99 ${ms(spread(plainRun.open.handshakeMs).p99)})`,
      verdict(users <= 1000 ? all && p99 < 1000 : all),
    ],
  ];
  const m = stackRun.member;
  if (m) {
    rows.push(
      [
        `bursts: a member present throughout the ${int(users)} receives at most about one presence frame per interval (${intervalMs / 1000} s)`,
        `${int(m.frames)} frames over ${int(m.slots)} intervals (${m.framesPerInterval.toFixed(2)} per interval)`,
        verdict(m.frames <= m.slots),
      ],
      [
        `bursts: that member ends up seeing every one of the ${int(users)} who connected`,
        `joined - left = ${int(m.netJoined)}, last count ${m.lastCount === undefined ? '-' : int(m.lastCount)}, for ${int(m.expected)} connected`,
        verdict(m.seesEveryone),
      ],
    );
  }
  return rows;
}

/** The per-join target: the calls inside a join's handshake are the same at every room size (none grow with it). */
export function joinTarget(joins: Array<{ roomSize: number; samples: JoinSample[] }>): string[] | undefined {
  const maxInside = (row: { samples: JoinSample[] }): number =>
    Math.max(...row.samples.filter((s) => s.opened).map((s) => s.inHandshake));
  const smallest = joins[0];
  if (!smallest || joins.length < 2) return undefined;
  const allOpened = joins.every((row) => row.samples.every((s) => s.opened));
  return [
    `bursts: @connections calls inside a join's handshake the same whatever the room (${joins.map((r) => int(r.roomSize)).join(', ')} members)`,
    joins.map((row) => `${int(row.roomSize)}: ${int(maxInside(row))}`).join(', '),
    verdict(allOpened && joins.every((row) => maxInside(row) === maxInside(smallest))),
  ];
}

/**
 * Section 8: bursts of distinct new users on the local stack, side by side with the plain `ws` floor; the
 * presence frames a member present throughout receives; `@connections` calls per join by room size.
 */
export async function runBursts(settings: BurstSettings): Promise<BurstSummary> {
  const intervalMs = PRESENCE_DEFAULTS.intervalMs;
  const runs: BurstRun[] = [];
  const burstRows: string[][] = [];
  const ratioRows: string[][] = [];
  const memberRows: string[][] = [];
  const targets: string[][] = [];
  // The judged bursts meet a running server; the first size also meets a fresh one, whose code runs (and is
  // compiled) for the first time during the burst: shown, not judged.
  const plan = settings.bursts.flatMap(({ users, batch }, i) => [
    ...(i === 0 && settings.warmUpUsers > 0 ? [{ users, batch, warmedBy: 0, judged: false }] : []),
    { users, batch, warmedBy: settings.warmUpUsers, judged: true },
  ]);
  for (const { users, batch, warmedBy, judged } of plan) {
    const stackRun = await burst(await startSwitchboard(), users, batch, settings, intervalMs, warmedBy);
    const plainRun = await burst(await startPlain(), users, batch, settings, intervalMs, warmedBy);
    runs.push(stackRun, plainRun);
    burstRows.push(burstRow(stackRun), burstRow(plainRun));
    ratioRows.push(ratioRow(stackRun, plainRun));
    memberRows.push(memberRow(stackRun));
    if (judged) targets.push(...burstTargets(stackRun, plainRun, intervalMs));
  }

  const joins = await perJoin(settings, intervalMs);
  const joinRows = joins.map(({ roomSize, samples }) => {
    const opened = samples.filter((s) => s.opened);
    const inside = opened.map((s) => s.inHandshake);
    return [
      int(roomSize),
      `${opened.length} / ${samples.length}`,
      samples.map((s) => `${int(s.told)} / ${int(s.members)}`).join(', '),
      `${int(median(inside))} (max ${int(Math.max(...inside))})`,
      int(median(opened.map((s) => s.total))),
      ms(median(opened.map((s) => s.handshakeMs))),
    ];
  });
  const joinVerdict = joinTarget(joins);
  if (joinVerdict) targets.push(joinVerdict);

  const tables: Table[] = [
    {
      title: '8a. Bursts of distinct new users: handshakes on the local stack and on the plain ws floor',
      headers: [
        'server',
        'server state',
        'users',
        'connected',
        'failed',
        'handshake p50',
        'p95',
        'p99',
        'per batch (median / max)',
        'connects/s',
      ],
      rows: burstRows,
      notes: [
        `Each user connects without a token, so each is a new user of its own. A batch's handshakes are all in flight at once; the next batch starts when every one of them has opened or failed (${settings.handshakeTimeoutMs / 1000} s at most). A burst stops after ${settings.giveUpAfterEmptyBatches} batches in a row with none connected; the users left are "not tried".`,
        "Switchboard: the local stack (npm start's code, from template.yaml) in a child process, with per-connection rate limits raised out of the way; a member connected before the burst sits in the default room. plain ws: a `ws` server that accepts every upgrade, in a child process too. A newly started server for each burst.",
        ...(settings.warmUpUsers > 0
          ? [
              `Server state: "running" bursts (the ones the targets judge) start once ${int(settings.warmUpUsers)} distinct new users have connected and left (in batches of the same size) and, on Switchboard, presence has been quiet for two intervals with the member told the room holds only it again (plain ws: two intervals), as on a server that has been up; "fresh" is a just-started server, where only the member has connected before the burst, so the code of most functions runs, and is compiled by V8, for the first time during the burst. Shown for the first burst size, not judged.`,
            ]
          : []),
      ],
    },
    {
      title: '8b. Switchboard over the plain ws floor, same run',
      headers: ['server state', 'users', 'handshake p50', 'handshake p99', 'per batch (median)', 'time to connect all'],
      rows: ratioRows,
    },
    {
      title: `8c. Presence frames at a member present throughout the burst (interval ${intervalMs / 1000} s)`,
      headers: [
        'server state',
        'users',
        'frames',
        'span',
        'intervals spanned',
        'frames per interval',
        'most in one interval',
        'shortest gap',
        'joined - left / connected',
        'last count',
        'out of order',
        'sees everyone',
      ],
      rows: memberRows,
      notes: [
        `Frames counted from the first handshake of the burst until the member sees every user who connected, or no frame has come for ${QUIET_INTERVALS} intervals (one minute at most). "Intervals spanned" counts both ends: one frame per interval gives frames = intervals, 1.00 per interval.`,
        '"joined - left" sums the rosters of the frames the member applied (applied as clients do: the change of a user only when the tick of its frame is above the one that last changed that user, the count from the highest tick); above the roster threshold frames carry only `count`, the users in the room, the member included.',
      ],
    },
    {
      title: '8d. @connections calls per join, by the size of the default room',
      headers: [
        'room members',
        'joins connected',
        'members told, per join',
        'POSTs inside the handshake',
        'POSTs in total per join',
        'handshake',
      ],
      rows: joinRows,
      notes: [
        `The room is filled with tabs of one session (a user's further tabs announce nothing), then ${settings.joinsPerRoom} distinct new users join one at a time. A counting proxy in front of the local @connections endpoint stamps every POST: "inside the handshake" counts those that arrived between the upgrade request and the open; "in total" those until every member connection has received a presence frame (${JOIN_DELIVERY_MS / 1000} s at most) and no call has been made for half an interval. The total includes telling the room (one frame per member connection), which is the delivery itself.`,
      ],
    },
  ];
  return { tables, targets, runs, joins, intervalMs };
}
