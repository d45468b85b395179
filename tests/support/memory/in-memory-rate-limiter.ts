import type { Admission, RateLimiter, RouteClass } from '../../../src/domain/ports/rate-limiter';

/** Allows everything until a test exhausts a connection's class with `deny` (every class when none is named). */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly denied = new Set<string>();
  /** Every acquisition asked for, in order. */
  readonly asked: Array<{ connectionId: string; routeClass: RouteClass }> = [];

  async tryAcquire(connectionId: string, routeClass: RouteClass, _at: Date): Promise<Admission> {
    this.asked.push({ connectionId, routeClass });
    return this.denied.has(connectionId) || this.denied.has(`${connectionId}/${routeClass}`) ? 'limited' : 'allowed';
  }

  deny(connectionId: string, routeClass?: RouteClass): void {
    this.denied.add(routeClass === undefined ? connectionId : `${connectionId}/${routeClass}`);
  }
}
