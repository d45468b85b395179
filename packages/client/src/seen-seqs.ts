/**
 * The most recent `capacity` sequence numbers seen, to drop a second copy: a broadcast to a large room is
 * delivered by parallel workers, and a retried worker may deliver its slice again.
 */
export class SeenSeqs {
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];

  constructor(private readonly capacity: number) {}

  /** True the first time `seq` is offered (and remembers it), false for a repeat. */
  firstTime(seq: number): boolean {
    if (this.seen.has(seq)) return false;
    this.seen.add(seq);
    this.order.push(seq);
    if (this.order.length > this.capacity) this.seen.delete(this.order.shift() as number);
    return true;
  }

  clear(): void {
    this.seen.clear();
    this.order.length = 0;
  }
}
