import type { ClientFrame, HistoryFrame } from './wire/frames.js';
import { LIMITS } from './wire/rules.js';

/**
 * Asks for the newest `limit` chat messages and follows the server's `before` until they have all come:
 * the server stops a reply early, to keep it under API Gateway's size limit, when its messages are long.
 */
export class HistoryPages {
  private wanted = 0;

  constructor(private readonly send: (frame: ClientFrame) => void) {}

  request(limit: number): void {
    this.wanted = limit;
    this.send({ action: 'history', limit });
  }

  accept(frame: HistoryFrame): void {
    this.wanted -= frame.messages.length;
    if (frame.before !== undefined && this.wanted > 0) {
      this.send({ action: 'history', limit: Math.min(this.wanted, LIMITS.historyMax), before: frame.before });
    } else {
      this.wanted = 0;
    }
  }

  /** A lost connection: the next connection asks again from the newest. */
  reset(): void {
    this.wanted = 0;
  }
}
