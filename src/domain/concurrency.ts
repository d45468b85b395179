/**
 * Runs `task` for every item of every page with at most `limit` tasks in flight. The next page is read
 * while the current one is being worked on (one page ahead, so a long list never sits in memory whole
 * and the tasks never wait for a read). `task` must not reject: it reports its own outcome.
 */
export async function forEachBounded<T>(
  pages: AsyncIterable<T[]>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const iterator = pages[Symbol.asyncIterator]();
  for (let next = iterator.next(); ; ) {
    const { value: page, done } = await next;
    if (done) break;
    next = iterator.next();
    // Marked handled now, so a failed read cannot crash the process before it is awaited (and rethrown).
    next.catch(() => undefined);
    for (const item of page) {
      const running: Promise<void> = task(item).finally(() => inFlight.delete(running));
      inFlight.add(running);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
}
