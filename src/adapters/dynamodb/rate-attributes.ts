/**
 * Where the rate limiter keeps a bucket: one number per route class (its theoretical arrival time, in ms),
 * on the connection's item for the connection's own budgets and on a membership's marker for its budgets in
 * that room. The subscription repository carries a room's buckets over to the connection's item when the
 * connection leaves the room, so that leaving and joining again refills nothing.
 */
export const RATE_PREFIX = 'rateTat_';

export function rateAttribute(routeClass: string): string {
  return `${RATE_PREFIX}${routeClass}`;
}

/** On the connection's item: where the buckets of the rooms it left stood (the latest), per class. */
export function leftRoomRateAttribute(attribute: string): string {
  return `leftRoom_${attribute}`;
}
