import type { Dependencies } from '../dependencies';
import { NotInRoomError, RateLimitedError, UnauthorizedError } from '../errors';
import { DEFAULT_ROOM } from '../model';
import type { RouteClass } from '../ports/rate-limiter';

/** The actions whose budget is kept per room: those that act in one room (join and leave change rooms). */
const PER_ROOM_ACTIONS: ReadonlySet<string> = new Set(['sendmessage', 'send', 'history', 'who']);

/**
 * The room whose budget a frame draws from (a frame without `room` means the default room), or undefined
 * when it draws from the connection's own. Call it on a validated frame: its room is then a valid name.
 */
export function budgetRoomOf(action: string, frame: { room?: unknown }): string | undefined {
  if (!PER_ROOM_ACTIONS.has(action)) return undefined;
  return typeof frame.room === 'string' ? frame.room : DEFAULT_ROOM;
}

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
  /** The room whose budget the frame draws from (`budgetRoomOf`); the connection's own when absent. */
  room?: string,
): Promise<void> {
  const admission = await deps.rateLimiter.tryAcquire(connectionId, routeClass, arrivedAt, room);
  if (admission === 'limited') {
    throw new RateLimitedError(`Too many ${routeClass} frames${room === undefined ? '' : ` in this room`}; slow down.`);
  }
  if (admission === 'not_in_room') throw new NotInRoomError(room ?? DEFAULT_ROOM);
  if (admission === 'unknown') throw new UnauthorizedError('This connection has no session any more; reconnect.');
}
