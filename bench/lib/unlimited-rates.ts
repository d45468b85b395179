/** Per-connection rate limits raised out of the way, so that a bench measures the stack, not the limiter. */
export const UNLIMITED_RATES: Record<string, string> = Object.fromEntries(
  ['PUBLISH', 'SUBSCRIBE', 'READ', 'CHAT', 'SESSION'].flatMap((routeClass) => [
    [`${routeClass}_RATE_PER_SECOND`, '1000'],
    [`${routeClass}_BURST`, '1000'],
  ]),
);
