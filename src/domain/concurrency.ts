/**
 * Runs `task` for every item of every page with at most `limit` tasks in flight. The next page is read
 * while the current one is still being worked on, so a long list never sits in memory whole.
 * `task` must not reject: it reports its own outcome.
 */
export async function forEachBounded<T>(
  pages: AsyncIterable<T[]>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const page of pages) {
    for (const item of page) {
      const running: Promise<void> = task(item).finally(() => inFlight.delete(running));
      inFlight.add(running);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
}
