import { SerialProcessor } from '../../bench/simulation/serial-processor';
import { VirtualTime } from '../../bench/simulation/virtual-time';

describe('SerialProcessor (the local stack event loop, in virtual time)', () => {
  it('does work one piece at a time, first come first served, and is idle in between', async () => {
    const sim = new VirtualTime();
    const cpu = new SerialProcessor(sim);
    const done: Array<[string, number]> = [];
    const job = async (name: string, startAt: number, ms: number): Promise<void> => {
      await sim.sleep(startAt);
      await cpu.use(ms);
      done.push([name, sim.now]);
    };
    void job('a', 0, 5);
    void job('b', 0, 5);
    void job('c', 1, 2);
    void job('d', 30, 4);
    await sim.run();
    expect(done).toEqual([
      ['a', 5],
      ['b', 10],
      ['c', 12],
      ['d', 34],
    ]);
    expect(cpu.busyMs).toBe(16);
  });

  it('lets waits overlap while the work is serialised', async () => {
    const sim = new VirtualTime();
    const cpu = new SerialProcessor(sim);
    let last = 0;
    // Ten calls side by side, each 1 ms of work then a 20 ms wait: the waits overlap, the work does not.
    await Promise.all([
      sim.run(),
      ...Array.from({ length: 10 }, async () => {
        await cpu.use(1);
        await sim.sleep(20);
        last = Math.max(last, sim.now);
      }),
    ]);
    expect(last).toBe(30);
  });

  it('costs nothing for no work', async () => {
    const sim = new VirtualTime();
    const cpu = new SerialProcessor(sim);
    await cpu.use(0);
    expect(sim.now).toBe(0);
    expect(cpu.busyMs).toBe(0);
  });
});
