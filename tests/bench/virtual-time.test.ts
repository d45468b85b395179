import { VirtualTime } from '../../bench/simulation/virtual-time';

describe('VirtualTime', () => {
  it('runs a process that passes through settled promises before its first sleep', async () => {
    const sim = new VirtualTime();
    let finishedAt = -1;
    void (async () => {
      await Promise.resolve();
      await Promise.resolve();
      await sim.sleep(7);
      finishedAt = sim.now;
    })();
    await sim.run();
    expect(finishedAt).toBe(7);
  });

  it('stops at `until` and leaves later events', async () => {
    const sim = new VirtualTime();
    const seen: number[] = [];
    for (const at of [5, 10, 15]) void sim.sleep(at).then(() => seen.push(sim.now));
    await sim.run(10);
    expect(seen).toEqual([5, 10]);
  });
});
