export interface BackoffSettings {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** Retries of a throttled send: up to about 20 s of waiting in all, enough to ride out the account's throttle. */
export const DEFAULT_BACKOFF: BackoffSettings = { attempts: 12, baseMs: 50, maxMs: 3000 };

/**
 * "Full jitter" exponential backoff: the wait before retry `retry` (1 for the first) is uniform in
 * [0, min(maxMs, baseMs * 2^(retry-1))). Throttled senders spread out instead of retrying in step.
 */
export function backoffDelayMs(retry: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}
