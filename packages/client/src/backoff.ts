/** How reconnect delays grow. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Ceiling of the delay, so a long outage is retried at a steady pace rather than ever more rarely. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, factor: 2 };

/**
 * Exponential backoff with "full jitter": the delay for attempt n (0-based) is uniform in
 * [cap/2, cap] where cap = min(maxMs, baseMs * factor^n). Half of it is fixed so a retry never fires at once
 * in a tight loop; the other half spreads many clients that lost the same server apart.
 *
 * `random` is injected (Math.random in the browser) so tests can pin the schedule.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, attempt);
  const cap = Math.min(options.maxMs, options.baseMs * options.factor ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(cap / 2 + (cap / 2) * r);
}
