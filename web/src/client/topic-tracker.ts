import type { SubscribedFrame, TopicMessageFrame } from './frames';

/**
 * Which seqs of one topic the page has seen: every seq up to `floor`, plus the ones in `above`. Deliveries
 * of concurrent publishes may arrive out of order (each frame is its own Lambda invocation), so "seen" is a
 * set, not a high-water mark, and a resubscribe asks from the highest seq below which nothing is missing.
 */
interface SeenSeqs {
  floor: number;
  above: Set<number>;
}

/** Past this many out-of-order seqs the oldest gap is given up on, so memory stays bounded. */
const MAX_ABOVE = 1000;

/**
 * What the page has subscribed to and which messages it has seen per topic. It decides which messages are
 * new (a replay after a reconnect may repeat ones already shown) and what `since` to ask for on resubscribe.
 */
export class TopicTracker {
  private readonly wanted = new Set<string>();
  private readonly seen = new Map<string, SeenSeqs>();

  /** The topics the user wants, in the order they were added. */
  get topics(): string[] {
    return [...this.wanted];
  }

  isWanted(topic: string): boolean {
    return this.wanted.has(topic);
  }

  /** The seq below which (inclusive) every message of the topic has been seen. */
  lastSeen(topic: string): number | undefined {
    return this.seen.get(topic)?.floor;
  }

  want(topic: string): void {
    this.wanted.add(topic);
  }

  unwant(topic: string): void {
    this.wanted.delete(topic);
    this.seen.delete(topic);
  }

  /**
   * A `subscribed` reply carries the topic's latest seq. With nothing seen yet, that is the point from which
   * nothing may be missed; later messages have a higher seq.
   */
  onSubscribed(frame: SubscribedFrame): void {
    if (!this.seen.has(frame.topic)) this.seen.set(frame.topic, { floor: frame.seq, above: new Set() });
  }

  /**
   * Records a message, or a `skipped` seq (one that will never hold a message, so no gap waits for it),
   * and says whether it is new (false for a seq already seen).
   */
  accept(frame: Pick<TopicMessageFrame, 'topic' | 'seq'>): boolean {
    let state = this.seen.get(frame.topic);
    if (!state) {
      // A message before the `subscribed` reply: take everything before it as the starting point.
      state = { floor: frame.seq - 1, above: new Set() };
      this.seen.set(frame.topic, state);
    }
    if (frame.seq <= state.floor || state.above.has(frame.seq)) return false;
    state.above.add(frame.seq);
    while (state.above.delete(state.floor + 1)) state.floor += 1;
    if (state.above.size > MAX_ABOVE) {
      state.floor = Math.min(...state.above);
      state.above.delete(state.floor);
      while (state.above.delete(state.floor + 1)) state.floor += 1;
    }
    return true;
  }

  /** The subscribe frames that restore every wanted topic after a reconnect, without gaps. */
  resubscribeFrames(): Array<{ action: 'subscribe'; topic: string; since?: number }> {
    return this.topics.map((topic) => {
      const since = this.seen.get(topic)?.floor;
      return since === undefined ? { action: 'subscribe', topic } : { action: 'subscribe', topic, since };
    });
  }
}
