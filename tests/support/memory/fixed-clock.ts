import type { Clock } from '../../../src/domain/ports/clock';

/** A clock that only moves when a test moves it, so every `sentAt` and token time is predictable. */
export class FixedClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2024-05-01T12:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
