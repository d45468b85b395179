import { DeliveryThrottledError } from '../../../src/domain/fan-out/delivery-throttled-error';
import type { ServerFrame } from '../../../src/domain/frames';
import type { Delivery, Notifier } from '../../../src/domain/ports/notifier';
import { SendFailedError } from './send-failed-error';

export interface RecordingNotifierOptions {
  /**
   * Milliseconds each send takes (or a function of the connection id). A delay keeps sends in flight at
   * the same time, which is what a concurrency bound is about; without it every send finishes at once.
   */
  delayMs?: number | ((connectionId: string) => number);
}

export interface SentFrame {
  connectionId: string;
  frame: ServerFrame;
}

/** Records every delivered frame per connection, and plays gone (410) or failing connections on demand. */
export class RecordingNotifier implements Notifier {
  /** Every delivered frame, in delivery order. */
  readonly sent: SentFrame[] = [];
  /** Every call to `send`, delivered or not. */
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly gone = new Set<string>();
  private readonly failing = new Set<string>();
  private readonly throttled = new Map<string, number>();

  constructor(private readonly options: RecordingNotifierOptions = {}) {}

  async send(connectionId: string, frame: ServerFrame): Promise<Delivery> {
    this.attempts += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay =
        typeof this.options.delayMs === 'function' ? this.options.delayMs(connectionId) : this.options.delayMs;
      if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.gone.has(connectionId)) return 'gone';
      if (this.failing.has(connectionId)) throw new SendFailedError(connectionId);
      const throttles = this.throttled.get(connectionId) ?? 0;
      if (throttles > 0) {
        this.throttled.set(connectionId, throttles - 1);
        throw new DeliveryThrottledError();
      }
      this.sent.push({ connectionId, frame: structuredClone(frame) });
      return 'sent';
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Connections closed from the server's side, in order; a closed connection is gone from then on. */
  readonly closed: string[] = [];

  async close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
    this.gone.add(connectionId);
  }

  /** From now on sends to this connection answer `gone`, like a 410 from `@connections`. */
  markGone(connectionId: string): void {
    this.gone.add(connectionId);
  }

  /** From now on sends to this connection throw `SendFailedError`. */
  markFailing(connectionId: string): void {
    this.failing.add(connectionId);
  }

  /** The next `times` sends to this connection are throttled (429), then it accepts again. */
  throttle(connectionId: string, times: number): void {
    this.throttled.set(connectionId, times);
  }

  framesFor(connectionId: string): ServerFrame[] {
    return this.sent.filter((sent) => sent.connectionId === connectionId).map((sent) => sent.frame);
  }

  framesOfType<T extends ServerFrame['type']>(connectionId: string, type: T): Array<Extract<ServerFrame, { type: T }>> {
    return this.framesFor(connectionId).filter(
      (frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type,
    );
  }

  /** Forgets what was delivered and the in-flight peak; gone and failing marks stay. */
  clear(): void {
    this.sent.length = 0;
    this.attempts = 0;
    this.maxInFlight = this.inFlight;
  }
}
