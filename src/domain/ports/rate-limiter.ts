/**
 * The budgets a connection's frames draw from: each class has its own token bucket, so a flood of one
 * kind (say `history`) never starves another (chat), and `ping` draws from none.
 */
export type RouteClass = 'publish' | 'subscribe' | 'read' | 'chat' | 'session';

/**
 * `unknown`: the connection has no record (closed, expired, or ended by a reset in another tab).
 * `not_in_room`: the frame names a room the connection is not in, so it has no budget there.
 */
export type Admission = 'allowed' | 'limited' | 'unknown' | 'not_in_room';

/**
 * Limits how fast one connection may send frames of each class. A Lambda container serves many
 * connections and a connection's frames reach many containers, so the state lives in the store, not in
 * memory.
 */
export interface RateLimiter {
  /**
   * Takes one token of the class from the connection's bucket, if it had one when the frame arrived (`at`).
   * Measured at arrival, not when the frame is handled: it is the client's pace that is limited, and frames
   * that wait in a queue must neither be refused for the wait nor let a flood through because of it.
   *
   * With `room`, the token comes from the connection's bucket of that class in that room: chat and reads
   * are limited per room, so a busy room does not silence the connection in another. Only a room the
   * connection is in has a bucket (it goes with the membership), so naming rooms cannot add budget.
   */
  tryAcquire(connectionId: string, routeClass: RouteClass, at: Date, room?: string): Promise<Admission>;
}
