import { forEachBounded } from '../../src/domain/concurrency';

async function* pagesOf<T>(pages: T[][], onRead?: (index: number) => void): AsyncIterable<T[]> {
  for (const [index, page] of pages.entries()) {
    await Promise.resolve();
    onRead?.(index);
    yield page;
  }
}

function tracker(delay: (item: number) => number) {
  const state = { inFlight: 0, maxInFlight: 0, started: [] as number[], finished: [] as number[] };
  const task = async (item: number): Promise<void> => {
    state.started.push(item);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, delay(item)));
    state.inFlight -= 1;
    state.finished.push(item);
  };
  return { state, task };
}

describe('forEachBounded', () => {
  it('runs the task once for every item of every page, starting them in order', async () => {
    const { state, task } = tracker(() => 1);

    await forEachBounded(pagesOf([[1, 2, 3], [4], [], [5, 6]]), 2, task);

    expect(state.started).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...state.finished].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never has more than the limit in flight, and reaches it', async () => {
    const { state, task } = tracker((item) => (item * 7) % 5);
    const pages = [Array.from({ length: 17 }, (_, i) => i), Array.from({ length: 23 }, (_, i) => i + 17)];

    await forEachBounded(pagesOf(pages), 4, task);

    expect(state.maxInFlight).toBe(4);
    expect(state.finished).toHaveLength(40);
  });

  it('resolves only after every task has finished', async () => {
    const { state, task } = tracker((item) => (item === 1 ? 20 : 1));

    await forEachBounded(pagesOf([[1, 2, 3]]), 10, task);

    expect(state.inFlight).toBe(0);
    expect(state.finished).toContain(1);
  });

  it('runs one at a time with a limit of 1', async () => {
    const { state, task } = tracker((item) => 5 - item);

    await forEachBounded(
      pagesOf([
        [1, 2],
        [3, 4],
      ]),
      1,
      task,
    );

    expect(state.maxInFlight).toBe(1);
    expect(state.finished).toEqual([1, 2, 3, 4]);
  });

  it('reads the next page while the current one is still being worked on', async () => {
    const reads: Array<{ page: number; inFlight: number }> = [];
    const { state, task } = tracker(() => 5);

    await forEachBounded(
      pagesOf([[1], [2], [3]], (page) => reads.push({ page, inFlight: state.inFlight })),
      3,
      task,
    );

    expect(reads.map((read) => read.inFlight)).toEqual([0, 1, 2]);
  });

  it('does nothing for no pages', async () => {
    const { state, task } = tracker(() => 1);

    await forEachBounded(pagesOf<number>([]), 3, task);

    expect(state.started).toEqual([]);
  });
});

describe('forEachBounded reading ahead', () => {
  it('reads the next page while the current one is still being worked on', async () => {
    const events: string[] = [];
    async function* pages() {
      events.push('read 1');
      yield [1, 2];
      events.push('read 2');
      yield [3];
    }

    await forEachBounded(pages(), 1, async (item) => {
      events.push(`start ${item}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${item}`);
    });

    expect(events.indexOf('read 2')).toBeLessThan(events.indexOf('end 1'));
  });

  it('rethrows a failed read of a later page after the earlier tasks', async () => {
    async function* pages() {
      yield [1];
      throw new Error('page 2 failed');
    }

    await expect(
      forEachBounded(pages(), 2, async () => new Promise((resolve) => setTimeout(resolve, 5))),
    ).rejects.toThrow('page 2 failed');
  });
});
