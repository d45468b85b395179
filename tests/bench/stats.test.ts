import { percentile, spread } from '../../bench/lib/stats';

describe('percentile (nearest rank)', () => {
  it('picks the value at the rank, whatever the order of the list', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('rounds the rank up on short lists', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('spread', () => {
  it('gives p50, p95 and p99 of one list', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(spread(values)).toEqual({ p50: 500, p95: 950, p99: 990 });
  });
});
