import type { Admission, RateLimiter, RouteClass } from '../../../src/domain/ports/rate-limiter';

/**
 * Allows everything until a test exhausts a connection's class with `deny` (every class when none is
 * named; in one room when a room is named).
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly denied = new Set<string>();
  /** Every acquisition asked for, in order (`room` only for frames that draw in a room). */
  readonly asked: Array<{ connectionId: string; routeClass: RouteClass; room?: string }> = [];

  async tryAcquire(connectionId: string, routeClass: RouteClass, _at: Date, room?: string): Promise<Admission> {
    this.asked.push({ connectionId, routeClass, ...(room === undefined ? {} : { room }) });
    const keys = [connectionId, `${connectionId}/${routeClass}`, `${connectionId}/${routeClass}/${room}`];
    return keys.some((key) => this.denied.has(key)) ? 'limited' : 'allowed';
  }

  deny(connectionId: string, routeClass?: RouteClass, room?: string): void {
    const key = routeClass === undefined ? connectionId : `${connectionId}/${routeClass}`;
    this.denied.add(room === undefined ? key : `${key}/${room}`);
  }
}
