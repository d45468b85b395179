import { TestEnvironment } from 'jest-environment-node';
import { FAILED } from './test-outcome';

/**
 * Jest's Node environment, which also tells the test file whether the running test has failed (see
 * `testHasFailed`): jest tells an `afterEach` no such thing, and what a browser test kept of its pages (their
 * WebSocket frames) is worth printing only then.
 */
export default class FailureAwareEnvironment extends TestEnvironment {
  handleTestEvent(event: { name: string }): void {
    if (event.name === 'test_start') this.global[FAILED] = false;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') this.global[FAILED] = true;
  }
}
