import { median } from '../lib/stats';

/** What one `@connections` post and one subscriber Query page cost the local stack's event loop, measured. */
export interface LocalCosts {
  callMs: number;
  pageMs: number;
}

/** What bench/lib/local-cost-probe.ts measured: per pass, milliseconds per page and per post. */
export interface LocalCostMeasurement {
  pageMs: number[];
  callMs: number[];
  failedCalls: number;
}

/**
 * The local costs the simulation charges, from a probe of the real local stack: the median over the probe's
 * passes (the first pass warms the SDK clients and the JIT as much as any other; the median keeps one pass
 * slowed by another process on the machine from setting the figure). A probe in which a post failed, or
 * with no pass, measured something else and is refused.
 */
export function localCostsFrom(measured: LocalCostMeasurement): LocalCosts {
  if (measured.failedCalls > 0)
    throw new Error(`the local cost probe had ${measured.failedCalls} failed posts: not a measurement`);
  if (measured.callMs.length === 0 || measured.pageMs.length === 0)
    throw new Error('the local cost probe made no pass');
  const callMs = median(measured.callMs);
  const pageMs = median(measured.pageMs);
  if (!(callMs > 0 && pageMs > 0)) throw new Error(`implausible local costs: ${callMs} ms a post, ${pageMs} ms a page`);
  return { callMs, pageMs };
}
