import type { Scheduler } from './scheduler.js';

/**
 * Sends a ping every `intervalMs` so an idle connection is not closed by API Gateway (10 minutes idle), and
 * declares the connection dead when no pong arrives within `timeoutMs`: a dropped network often shows no
 * close event for a long time.
 */
export class Heartbeat {
  private intervalTimer: unknown;
  private pongTimer: unknown;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly onDead: () => void,
  ) {}

  start(): void {
    this.stop();
    this.schedule();
  }

  stop(): void {
    this.scheduler.clearTimeout(this.intervalTimer);
    this.scheduler.clearTimeout(this.pongTimer);
    this.intervalTimer = undefined;
    this.pongTimer = undefined;
  }

  /** Any pong proves the connection alive. */
  onPong(): void {
    this.scheduler.clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private schedule(): void {
    this.intervalTimer = this.scheduler.setTimeout(() => {
      this.ping();
      this.scheduler.clearTimeout(this.pongTimer);
      this.pongTimer = this.scheduler.setTimeout(() => {
        this.stop();
        this.onDead();
      }, this.timeoutMs);
      this.schedule();
    }, this.intervalMs);
  }
}
