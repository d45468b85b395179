import type { Dependencies } from '../dependencies';
import { RateLimitedError, UnauthorizedError } from '../errors';
import type { RouteClass } from '../ports/rate-limiter';

/**
 * Lets a frame through only while its connection has budget left in the frame's route class. Every
 * WebSocket frame passes here before its use case runs (`ping` excepted: it touches no database), so no
 * route can be flooded, and a refused frame has stored and delivered nothing.
 */
export async function admitFrame(
  deps: Pick<Dependencies, 'rateLimiter'>,
  connectionId: string,
  routeClass: RouteClass,
  /** When the frame reached the gateway. */
  arrivedAt: Date,
): Promise<void> {
  const admission = await deps.rateLimiter.tryAcquire(connectionId, routeClass, arrivedAt);
  if (admission === 'limited') throw new RateLimitedError(`Too many ${routeClass} frames; slow down.`);
  if (admission === 'unknown') throw new UnauthorizedError('This connection has no session any more; reconnect.');
}
