/**
 * Limits how fast one connection may send messages that are stored and fanned out. A Lambda container
 * serves many connections and a connection's frames reach many containers, so the state lives in the
 * store, not in memory.
 */
export interface RateLimiter {
  /** True when the connection may send one more message now. */
  tryAcquire(connectionId: string): Promise<boolean>;
}
