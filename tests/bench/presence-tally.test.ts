import { seesEveryone, tallyPresence } from '../../bench/lib/presence-tally';

const user = (n: number) => ({ userId: `u${n}`, name: `user ${n}` });

describe('tallyPresence', () => {
  it('counts one frame per interval as one per interval, fence posts included', () => {
    const frames = [0, 1000, 2000, 3000].map((at, i) => ({ at, tick: i + 1, count: i + 2, joined: [user(i)] }));
    const tally = tallyPresence(frames, 1000);
    expect(tally.frames).toBe(4);
    expect(tally.spanMs).toBe(3000);
    expect(tally.slots).toBe(4);
    expect(tally.framesPerInterval).toBe(1);
    expect(tally.maxInOneInterval).toBe(1);
    expect(tally.minGapMs).toBe(1000);
  });

  it('tolerates frames a little less than an interval apart', () => {
    const tally = tallyPresence(
      [0, 980, 1960].map((at, i) => ({ at, tick: i + 1 })),
      1000,
    );
    expect(tally.slots).toBe(3);
    expect(tally.framesPerInterval).toBe(1);
  });

  it('shows frames announced one by one as many per interval', () => {
    const frames = Array.from({ length: 50 }, (_, i) => ({ at: i * 20, tick: 0, joined: [user(i)] }));
    const tally = tallyPresence(frames, 1000);
    expect(tally.slots).toBe(2);
    expect(tally.framesPerInterval).toBe(25);
    expect(tally.maxInOneInterval).toBe(50);
    expect(tally.minGapMs).toBe(20);
    expect(tally.netJoined).toBe(50);
    expect(tally.roster).toBe(50);
  });

  it('sums joined minus left, and a user who joined and left is not in the roster', () => {
    const tally = tallyPresence(
      [
        { at: 0, tick: 1, count: 3, joined: [user(1), user(2)] },
        { at: 1000, tick: 2, count: 2, joined: [user(3)], left: [user(1)] },
      ],
      1000,
    );
    expect(tally.netJoined).toBe(2);
    expect(tally.roster).toBe(2);
    expect(tally.lastCount).toBe(2);
    expect(seesEveryone(tally, 2)).toBe(true);
    expect(seesEveryone(tally, 3)).toBe(false);
  });

  it('applies a late frame only for users no newer frame changed, and keeps the newest count', () => {
    const tally = tallyPresence(
      [
        { at: 0, tick: 3, count: 3, joined: [user(1), user(2)], left: [user(4)] },
        // Late: user 3 is news, user 4's join is older than its leave at tick 3.
        { at: 10, tick: 2, count: 2, joined: [user(3), user(4)] },
        // Repeated: nothing in it is new.
        { at: 20, tick: 3, count: 3, joined: [user(1), user(2)], left: [user(4)] },
      ],
      1000,
    );
    expect(tally.stale).toBe(1);
    expect(tally.roster).toBe(3);
    expect(tally.lastCount).toBe(3);
  });

  it('reads counts-only frames by their count, which includes the receiver', () => {
    const tally = tallyPresence([{ at: 0, tick: 7, count: 1001 }], 1000);
    expect(tally.roster).toBe(0);
    expect(seesEveryone(tally, 1000)).toBe(true);
    expect(seesEveryone(tally, 999)).toBe(false);
  });

  it('reports nothing received as zero frames', () => {
    const tally = tallyPresence([], 1000);
    expect(tally).toMatchObject({ frames: 0, slots: 0, framesPerInterval: 0, maxInOneInterval: 0, roster: 0 });
    expect(tally.minGapMs).toBeNaN();
    expect(seesEveryone(tally, 1)).toBe(false);
  });
});
