import type { RateLimiter } from '../../../src/domain/ports/rate-limiter';

/** Allows everything until a test exhausts a connection with `deny`. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly denied = new Set<string>();

  async tryAcquire(connectionId: string): Promise<boolean> {
    return !this.denied.has(connectionId);
  }

  deny(connectionId: string): void {
    this.denied.add(connectionId);
  }
}
