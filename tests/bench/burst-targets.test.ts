import type { OpenResult } from '../../bench/lib/client-pool';
import { tallyPresence } from '../../bench/lib/presence-tally';
import { type BurstRun, burstTargets, type JoinSample, joinTarget } from '../../bench/sections/bursts';

const open = (opened: number, handshakeMs: number[]): OpenResult => ({
  opened,
  failed: 0,
  reasons: [],
  ms: 1000,
  handshakeMs,
  batchMs: [100],
  notTried: 0,
});

const run = (server: string, users: number, opened: number, handshakeMs: number[], member?: BurstRun['member']) => ({
  server,
  users,
  batch: 100,
  warmedBy: 300,
  open: open(opened, handshakeMs),
  ...(member ? { member } : {}),
});

const member = (frameTimes: number[], expected: number, seesEveryone: boolean): BurstRun['member'] => ({
  ...tallyPresence(
    frameTimes.map((at, i) => ({ at, tick: i + 1 })),
    1000,
  ),
  expected,
  seesEveryone,
  caughtUpMs: 0,
  waitEnded: seesEveryone ? 'saw everyone' : 'quiet',
});

const verdicts = (rows: string[][] | string[] | undefined): string[] =>
  (rows ?? []).map((row) => (Array.isArray(row) ? (row[2] as string) : row));

describe('burstTargets', () => {
  const plain = run('plain ws', 1000, 1000, [10, 20]);

  it('names the server state a burst was judged on', () => {
    const [row] = burstTargets(run('Switchboard', 1000, 1000, [10]), plain, 1000);
    expect(row?.[0]).toMatch(/\(running server\)$/);
    const [fresh] = burstTargets({ ...run('Switchboard', 1000, 1000, [10]), warmedBy: 0 }, plain, 1000);
    expect(fresh?.[0]).toMatch(/\(fresh server\)$/);
  });

  it('meets the 1,000-user target only when all connect with p99 under 1 s', () => {
    const fast = Array.from({ length: 1000 }, () => 200);
    expect(verdicts(burstTargets(run('Switchboard', 1000, 1000, fast), plain, 1000))).toEqual(['met']);
    const slowTail = [...fast.slice(0, 980), ...Array.from({ length: 20 }, () => 1500)];
    expect(verdicts(burstTargets(run('Switchboard', 1000, 1000, slowTail), plain, 1000))).toEqual(['MISSED']);
    expect(verdicts(burstTargets(run('Switchboard', 1000, 999, fast.slice(1)), plain, 1000))).toEqual(['MISSED']);
  });

  it('asks only that everyone connects above 1,000 users', () => {
    const slow = Array.from({ length: 5000 }, () => 3000);
    expect(verdicts(burstTargets(run('Switchboard', 5000, 5000, slow), plain, 1000))).toEqual(['met']);
  });

  it('judges the member by frames per interval and by whether it sees everyone', () => {
    const fast = Array.from({ length: 1000 }, () => 200);
    const coalesced = member([0, 1000, 2000, 3000], 1000, true);
    expect(verdicts(burstTargets(run('Switchboard', 1000, 1000, fast, coalesced), plain, 1000))).toEqual([
      'met',
      'met',
      'met',
    ]);
    const oneByOne = member([0, 100, 200, 300, 1000], 1000, false);
    expect(verdicts(burstTargets(run('Switchboard', 1000, 1000, fast, oneByOne), plain, 1000))).toEqual([
      'met',
      'MISSED',
      'MISSED',
    ]);
  });
});

describe('joinTarget', () => {
  const sample = (members: number, inHandshake: number, opened = true): JoinSample => ({
    members,
    opened,
    handshakeMs: 50,
    told: members,
    inHandshake,
    total: members,
  });

  it('is met when no room size makes more calls inside the handshake than another', () => {
    const joins = [10, 100, 1000].map((roomSize) => ({
      roomSize,
      samples: [sample(roomSize, 0), sample(roomSize, 0)],
    }));
    expect(joinTarget(joins)?.[2]).toBe('met');
  });

  it('is missed when the calls inside the handshake follow the room (or a join failed)', () => {
    const growing = [10, 100].map((roomSize) => ({ roomSize, samples: [sample(roomSize, roomSize)] }));
    expect(joinTarget(growing)?.[2]).toBe('MISSED');
    const handedOff = [
      { roomSize: 10, samples: [sample(10, 10)] },
      { roomSize: 1000, samples: [sample(1000, 0)] },
    ];
    expect(joinTarget(handedOff)?.[2]).toBe('MISSED');
    const failed = [10, 100].map((roomSize) => ({ roomSize, samples: [sample(roomSize, 0, false)] }));
    expect(joinTarget(failed)?.[2]).toBe('MISSED');
  });

  it('needs two room sizes to compare', () => {
    expect(joinTarget([{ roomSize: 10, samples: [sample(10, 0)] }])).toBeUndefined();
  });
});
