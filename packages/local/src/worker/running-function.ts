import { AsyncLocalStorage } from 'node:async_hooks';

/** The function whose code is running: its module load (no request id) or one of its invocations. */
export interface RunningFunction {
  functionName: string;
  awsRequestId?: string;
}

const running = new AsyncLocalStorage<RunningFunction>();

/** Runs `fn` (and every callback and promise it starts) as the code of `owner`. */
export function runAs<T>(owner: RunningFunction, fn: () => T): T {
  return running.run(owner, fn);
}

/**
 * The function whose code is running here, also in callbacks and promises it started. Node emits
 * `unhandledRejection` in the rejected promise's context, so a handler for it can name the function.
 */
export function runningFunction(): RunningFunction | undefined {
  return running.getStore();
}
