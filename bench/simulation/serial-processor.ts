import type { VirtualTime } from './virtual-time';

/**
 * One CPU that does one thing at a time, in virtual time: the local stack's single Node event loop, on which
 * its handlers, its gateway and dynalite all run. `use(ms)` queues `ms` of work behind whatever is already
 * queued (first come, first served) and resolves when that work is done, so work that real code would do
 * side by side is serialised as the event loop serialises it, while waits (injected latency, timers) still
 * overlap.
 */
export class SerialProcessor {
  /** Virtual milliseconds of work done so far. */
  busyMs = 0;
  private freeAt = 0;

  constructor(private readonly sim: VirtualTime) {}

  use(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    const start = Math.max(this.sim.now, this.freeAt);
    this.freeAt = start + ms;
    this.busyMs += ms;
    return this.sim.sleep(this.freeAt - this.sim.now);
  }
}
