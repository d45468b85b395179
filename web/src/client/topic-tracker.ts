import type { SubscribedFrame, TopicMessageFrame } from './frames';

/**
 * What the page has subscribed to and the last `seq` it has seen per topic. It decides which messages are
 * new (a replay after a reconnect may repeat ones already shown) and what `since` to ask for on resubscribe.
 */
export class TopicTracker {
  private readonly wanted = new Set<string>();
  private readonly lastSeq = new Map<string, number>();

  /** The topics the user wants, in the order they were added. */
  get topics(): string[] {
    return [...this.wanted];
  }

  isWanted(topic: string): boolean {
    return this.wanted.has(topic);
  }

  lastSeen(topic: string): number | undefined {
    return this.lastSeq.get(topic);
  }

  want(topic: string): void {
    this.wanted.add(topic);
  }

  unwant(topic: string): void {
    this.wanted.delete(topic);
    this.lastSeq.delete(topic);
  }

  /**
   * A `subscribed` reply carries the topic's latest seq. With nothing seen yet, that is the point from which
   * nothing may be missed; later messages have a higher seq.
   */
  onSubscribed(frame: SubscribedFrame): void {
    if (!this.lastSeq.has(frame.topic)) this.lastSeq.set(frame.topic, frame.seq);
  }

  /** Records a message and says whether it is new. A seq at or below the last one seen is a repeat. */
  accept(frame: TopicMessageFrame): boolean {
    const last = this.lastSeq.get(frame.topic);
    if (last !== undefined && frame.seq <= last) return false;
    this.lastSeq.set(frame.topic, frame.seq);
    return true;
  }

  /** The subscribe frames that restore every wanted topic after a reconnect, without gaps. */
  resubscribeFrames(): Array<{ action: 'subscribe'; topic: string; since?: number }> {
    return this.topics.map((topic) => {
      const since = this.lastSeq.get(topic);
      return since === undefined ? { action: 'subscribe', topic } : { action: 'subscribe', topic, since };
    });
  }
}
