import type { EventEmitter } from 'node:events';
import { type RunningFunction, runningFunction } from './worker/running-function';

function errorDocument(reason: unknown) {
  if (reason instanceof Error) {
    return { errorType: reason.name, errorMessage: reason.message, stack: (reason.stack ?? '').split('\n') };
  }
  return { errorType: typeof reason, errorMessage: String(reason) };
}

/**
 * The line Lambda's Node.js runtime logs for a promise rejection nobody handled, prefixed with the function
 * (and request) whose code made the promise, or with `local stack` when it was no function's.
 */
export function describeUnhandledRejection(reason: unknown, owner: RunningFunction | undefined): string {
  const where = owner ? [owner.functionName, owner.awsRequestId ?? 'init'].join(' ') : 'local stack';
  const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const document = {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: message,
    reason: errorDocument(reason),
    promise: {},
    stack: [`Runtime.UnhandledPromiseRejection: ${message}`],
  };
  return `${where} ERROR Unhandled Promise Rejection ${JSON.stringify(document)}`;
}

/**
 * Logs unhandled rejections instead of letting Node end the process: one handler's stray promise must not take
 * the whole local stack (every function and connection) down. In AWS the runtime logs the same document, fails
 * the invocation and restarts that function's execution environment; locally the function stays warm.
 * Returns the function that removes the guard.
 */
export function guardUnhandledRejections(log: (line: string) => void, target: EventEmitter = process): () => void {
  const listener = (reason: unknown): void => log(describeUnhandledRejection(reason, runningFunction()));
  target.on('unhandledRejection', listener);
  return () => void target.off('unhandledRejection', listener);
}
