/**
 * A discrete-event clock for running real async code in virtual time: `sleep` parks a promise until the
 * clock reaches its time; `run` moves the clock from event to event and lets every promise chain that an
 * event releases run to its next `sleep` before taking the next event. Nothing waits in real time.
 */
export class VirtualTime {
  now = 0;
  private heap: { at: number; order: number; wake: () => void }[] = [];
  private order = 0;
  events = 0;

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.push({ at: this.now + Math.max(0, ms), order: this.order++, wake }));
  }

  /** Runs until no event is left or the clock passes `until` (ms). */
  async run(until = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      // A process may still be between awaits of already-settled promises on its way to its next sleep:
      // one turn of the event loop lets it get there before an empty heap is taken to mean the end.
      if (this.heap.length === 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.heap.length === 0) break;
      const at = (this.heap[0] as { at: number }).at;
      if (at > until) break;
      this.now = at;
      // Every event due now, then one turn of the event loop, so the microtasks they free all run.
      while (this.heap.length > 0 && (this.heap[0] as { at: number }).at === at) {
        this.pop().wake();
        this.events += 1;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private push(item: { at: number; order: number; wake: () => void }): void {
    const heap = this.heap;
    heap.push(item);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as typeof item, heap[parent] as typeof item)) break;
      [heap[i], heap[parent]] = [heap[parent] as typeof item, heap[i] as typeof item];
      i = parent;
    }
  }

  private pop(): { at: number; order: number; wake: () => void } {
    const heap = this.heap;
    const top = heap[0] as (typeof heap)[number];
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as typeof top, heap[m] as typeof top)) m = l;
        if (r < heap.length && before(heap[r] as typeof top, heap[m] as typeof top)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as typeof top, heap[i] as typeof top];
        i = m;
      }
    }
    return top;
  }
}

function before(a: { at: number; order: number }, b: { at: number; order: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

/** A seeded PRNG (mulberry32), so that every run of the simulation is the same. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log-normal latency with the given median; sigma 0.5 puts p99 at about 3.2x the median (a realistic tail). */
export function logNormal(random: () => number, medianMs: number, sigma = 0.5): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianMs * Math.exp(sigma * z);
}
