import type { Scheduler } from './scheduler.js';
import type { SkippedFrame, SubscribedFrame, TopicMessageFrame } from './wire/frames.js';

/**
 * `subscribing`: asked for, not confirmed on this connection (or no connection). `replaying`: confirmed, but
 * messages the server has stored are still to come (or a gap is being filled). `live`: everything up to the
 * topic's latest seq has been handed over; nothing published from now on can be lost.
 */
export type TopicStatus = 'subscribing' | 'replaying' | 'live';

export interface TopicStreamOptions {
  scheduler: Scheduler;
  /** Hands one message to the application: per topic in seq order, each seq once. */
  deliver(frame: TopicMessageFrame): void;
  status(topic: string, status: TopicStatus): void;
  /** Asks the server to replay everything after `since` (a `subscribe` with `since`). False when not connected. */
  requestReplay(topic: string, since: number): boolean;
  /**
   * A seq range that will never hold a message, skipped: one the server reported with a `skipped` frame (a
   * publisher stopped after drawing it), or a gap it could not fill in time.
   */
  skipped(topic: string, from: number, to: number): void;
  /** How long a gap may stay open before a replay is asked for (concurrent publishes arrive out of order). */
  gapWaitMs: number;
  /** How long a gap may stay open with no progress, after a replay was asked for, before it is skipped. */
  gapGiveUpMs: number;
  /** Most messages held back behind one gap; past it the gap is skipped at once, so memory stays bounded. */
  maxHeld: number;
}

interface Stream {
  status: TopicStatus;
  /** Every seq up to here has been delivered (or skipped); undefined before the first `subscribed`. */
  floor: number | undefined;
  /** The topic's latest seq when the server last confirmed the subscription. */
  latest: number;
  /** Messages after a gap, waiting for it to be filled; a `skipped` frame holds the place of its seq. */
  held: Map<number, TopicMessageFrame | SkippedFrame>;
  gapTimer: unknown;
  replayAsked: boolean;
}

/**
 * The per-topic delivery guarantee: messages reach the application in seq order, each exactly once, across
 * any number of reconnects. Duplicates (a replay overlapping live deliveries) are dropped; a message after a
 * gap is held back until the gap is filled (by the out-of-order delivery arriving, or by a replay with
 * `since`), and only a gap the server cannot fill is skipped, and reported.
 */
export class TopicStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly options: TopicStreamOptions) {}

  get topics(): string[] {
    return [...this.streams.keys()];
  }

  has(topic: string): boolean {
    return this.streams.has(topic);
  }

  statusOf(topic: string): TopicStatus | undefined {
    return this.streams.get(topic)?.status;
  }

  /** The seq up to which every message of the topic has been delivered. */
  lastSeq(topic: string): number | undefined {
    return this.streams.get(topic)?.floor;
  }

  /** Starts a topic; with `since`, every stored message after it is delivered first. */
  add(topic: string, since?: number): void {
    if (this.streams.has(topic)) return;
    this.streams.set(topic, {
      status: 'subscribing',
      floor: since,
      latest: 0,
      held: new Map(),
      gapTimer: undefined,
      replayAsked: false,
    });
  }

  remove(topic: string): void {
    const stream = this.streams.get(topic);
    if (!stream) return;
    this.options.scheduler.clearTimeout(stream.gapTimer);
    this.streams.delete(topic);
  }

  /** The frame that (re)subscribes a topic without a gap. */
  subscribeFrame(topic: string): { action: 'subscribe'; topic: string; since?: number } {
    const floor = this.streams.get(topic)?.floor;
    return floor === undefined ? { action: 'subscribe', topic } : { action: 'subscribe', topic, since: floor };
  }

  /** The connection is gone: every topic must be confirmed again; what is held stays held. */
  disconnected(): void {
    for (const [topic, stream] of this.streams) {
      this.options.scheduler.clearTimeout(stream.gapTimer);
      stream.gapTimer = undefined;
      stream.replayAsked = false;
      this.setStatus(topic, stream, 'subscribing');
    }
  }

  clear(): void {
    for (const stream of this.streams.values()) this.options.scheduler.clearTimeout(stream.gapTimer);
    this.streams.clear();
  }

  onSubscribed(frame: SubscribedFrame): void {
    const stream = this.streams.get(frame.topic);
    if (!stream) return;
    // A first subscription without `since` starts after the topic's latest message.
    if (stream.floor === undefined) stream.floor = frame.seq;
    stream.latest = Math.max(stream.latest, frame.seq);
    this.release(frame.topic, stream);
    this.settle(frame.topic, stream, stream.status === 'subscribing' ? 'replaying' : stream.status);
  }

  /**
   * A seq the server says will never hold a message: it fills its place in the order like a message would
   * (nothing waits for it), and is reported through `skipped` when the delivery reaches it.
   */
  onSkipped(frame: SkippedFrame): void {
    this.onMessage(frame);
  }

  onMessage(frame: TopicMessageFrame | SkippedFrame): void {
    const stream = this.streams.get(frame.topic);
    if (!stream) return;
    if ((stream.floor !== undefined && frame.seq <= stream.floor) || stream.held.has(frame.seq)) return;
    stream.held.set(frame.seq, frame);
    if (stream.floor === undefined) return; // before the first `subscribed`: its seq says where to start
    const progressed = this.release(frame.topic, stream);
    if (stream.held.size > this.options.maxHeld) this.skipGap(frame.topic, stream);
    this.settle(frame.topic, stream, stream.status, progressed);
  }

  /** Hands over every held message that follows the floor. Returns whether the floor moved. */
  private release(topic: string, stream: Stream): boolean {
    if (stream.floor === undefined) return false;
    for (const seq of [...stream.held.keys()]) if (seq <= stream.floor) stream.held.delete(seq);
    let moved = false;
    /** The first of a run of skipped seqs, reported as one range when the run ends. */
    let skippedFrom: number | undefined;
    for (let next = stream.held.get(stream.floor + 1); next; next = stream.held.get(stream.floor + 1)) {
      stream.held.delete(next.seq);
      stream.floor = next.seq;
      moved = true;
      if (next.type === 'skipped') {
        skippedFrom ??= next.seq;
        continue;
      }
      if (skippedFrom !== undefined) this.options.skipped(topic, skippedFrom, next.seq - 1);
      skippedFrom = undefined;
      if (this.streams.get(topic) !== stream) return moved; // unsubscribed from inside the handler
      this.options.deliver(next);
      if (this.streams.get(topic) !== stream) return moved;
    }
    if (skippedFrom !== undefined) this.options.skipped(topic, skippedFrom, stream.floor);
    return moved;
  }

  /** Works out the status after a change, and whether a gap needs a timer. */
  private settle(topic: string, stream: Stream, status: TopicStatus, progressed = false): void {
    if (this.streams.get(topic) !== stream) return;
    const gap = stream.held.size > 0;
    if (status !== 'subscribing') status = !gap && (stream.floor ?? 0) >= stream.latest ? 'live' : 'replaying';
    this.setStatus(topic, stream, status);
    if (!gap) {
      this.options.scheduler.clearTimeout(stream.gapTimer);
      stream.gapTimer = undefined;
      stream.replayAsked = false;
    } else if (stream.gapTimer === undefined || progressed) {
      this.armGapTimer(topic, stream);
    }
  }

  private armGapTimer(topic: string, stream: Stream): void {
    if (stream.status === 'subscribing') return; // no connection: the resubscribe's `since` fills it
    this.options.scheduler.clearTimeout(stream.gapTimer);
    const wait = stream.replayAsked ? this.options.gapGiveUpMs : this.options.gapWaitMs;
    stream.gapTimer = this.options.scheduler.setTimeout(() => {
      stream.gapTimer = undefined;
      if (this.streams.get(topic) !== stream || stream.held.size === 0 || stream.floor === undefined) return;
      if (!stream.replayAsked && this.options.requestReplay(topic, stream.floor)) {
        stream.replayAsked = true;
        this.armGapTimer(topic, stream);
        return;
      }
      this.skipGap(topic, stream);
      this.settle(topic, stream, stream.status);
    }, wait);
  }

  /** Gives up on the oldest gap: the seqs between the floor and the first held message. */
  private skipGap(topic: string, stream: Stream): void {
    if (stream.floor === undefined || stream.held.size === 0) return;
    const first = Math.min(...stream.held.keys());
    const from = stream.floor + 1;
    stream.floor = first - 1;
    stream.replayAsked = false;
    this.options.skipped(topic, from, first - 1);
    this.release(topic, stream);
  }

  private setStatus(topic: string, stream: Stream, status: TopicStatus): void {
    if (stream.status === status) return;
    stream.status = status;
    this.options.status(topic, status);
  }
}
