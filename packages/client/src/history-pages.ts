import type { ClientFrame, HistoryFrame } from './wire/frames.js';
import { DEFAULT_ROOM, LIMITS } from './wire/rules.js';

/**
 * Asks a room for its newest `limit` chat messages and follows the server's `before` until they have all
 * come: the server stops a reply early, to keep it under API Gateway's size limit, when its messages are
 * long. Each room is followed apart (each reply names its room).
 */
export class HistoryPages {
  private readonly wanted = new Map<string, number>();

  constructor(private readonly send: (frame: ClientFrame) => void) {}

  request(limit: number, room: string = DEFAULT_ROOM): void {
    this.wanted.set(room, limit);
    this.send({ action: 'history', limit, ...roomField(room) });
  }

  accept(frame: HistoryFrame): void {
    const wanted = (this.wanted.get(frame.room) ?? 0) - frame.messages.length;
    if (frame.before !== undefined && wanted > 0) {
      this.wanted.set(frame.room, wanted);
      const limit = Math.min(wanted, LIMITS.historyMax);
      this.send({ action: 'history', limit, before: frame.before, ...roomField(frame.room) });
    } else {
      this.wanted.delete(frame.room);
    }
  }

  forget(room: string): void {
    this.wanted.delete(room);
  }

  /** A lost connection: the next connection asks again from the newest. */
  reset(): void {
    this.wanted.clear();
  }
}

/** The default room's frames leave `room` out, as the seed's do. */
function roomField(room: string): { room?: string } {
  return room === DEFAULT_ROOM ? {} : { room };
}
