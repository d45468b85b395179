import { localCostsFrom } from '../../bench/simulation/local-costs';

describe('localCostsFrom (the measured local costs the simulation charges)', () => {
  it('takes the median of the passes, so one pass slowed by another process does not set the figure', () => {
    expect(localCostsFrom({ callMs: [0.9, 0.8, 4.0, 0.85, 0.7], pageMs: [3, 30, 4], failedCalls: 0 })).toEqual({
      callMs: 0.85,
      pageMs: 4,
    });
  });

  it('refuses a probe in which a post failed', () => {
    expect(() => localCostsFrom({ callMs: [1], pageMs: [1], failedCalls: 2 })).toThrow(/2 failed posts/);
  });

  it('refuses a probe with no pass, or with costs that are not positive', () => {
    expect(() => localCostsFrom({ callMs: [], pageMs: [], failedCalls: 0 })).toThrow(/no pass/);
    expect(() => localCostsFrom({ callMs: [0], pageMs: [2], failedCalls: 0 })).toThrow(/implausible/);
  });
});
