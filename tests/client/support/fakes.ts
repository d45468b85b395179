import type { Scheduler, ServerFrame, SocketHandlers } from '@switchboard/client';

/** A socket the test drives: it records what the client sends and delivers what the test says the server sent. */
export class FakeSocket {
  readonly sent: Array<Record<string, unknown>> = [];
  closed: { code?: number } | undefined;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number): void {
    this.closed = { code };
  }
  open(): void {
    this.handlers.onOpen();
  }
  receive(frame: ServerFrame): void {
    this.handlers.onMessage(JSON.stringify(frame));
  }
  receiveRaw(data: string): void {
    this.handlers.onMessage(data);
  }
  drop(code = 1006): void {
    this.handlers.onClose(code, '');
  }
  actions(): unknown[] {
    return this.sent.map((frame) => frame.action);
  }
}

/**
 * Node and browsers store a timer's delay in 32 bits: one beyond this fires after 1 ms (Node warns
 * TimeoutOverflowWarning). Virtual time does the same, so that a client relying on longer waits fails here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Virtual time: timers run only when the test advances the clock. */
export class ManualScheduler implements Scheduler {
  /** `startAt`: the clock's first reading (a wall-clock time, for tokens whose `exp` is one). */
  constructor(private time = 0) {}
  private nextHandle = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + (ms > MAX_TIMER_MS ? 1 : ms), callback });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  /** Timers still set. */
  pending(): number {
    return this.timers.size;
  }
  /** Runs every timer due within `ms`, in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}
