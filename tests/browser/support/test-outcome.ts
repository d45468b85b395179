/** Set on the test's global by `failure-aware-environment.ts` once the running test or one of its hooks has failed. */
export const FAILED = '__switchboardTestFailed';

/** Whether the running test has failed so far (its body, or a hook run before the caller). */
export function testHasFailed(): boolean {
  return (globalThis as Record<string, unknown>)[FAILED] === true;
}
