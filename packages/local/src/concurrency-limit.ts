/** Runs at most `max` tasks at once; the rest wait in arrival order. */
export interface ConcurrencyLimit {
  /** Resolves when a slot is free, with the function that frees it again. */
  acquire(): Promise<() => void>;
  /** Tasks running and waiting. */
  readonly running: number;
  readonly waiting: number;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, not ${max}`);
  const queue: (() => void)[] = [];
  let running = 0;

  const grant = (): (() => void) => {
    running += 1;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      running -= 1;
      queue.shift()?.();
    };
  };

  return {
    acquire: () => {
      if (running < max) return Promise.resolve(grant());
      return new Promise((resolve) => queue.push(() => resolve(grant())));
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}
