import { backoffDelayMs } from '../../src/domain/fan-out/backoff';
import { continuationOf, planFanOut } from '../../src/domain/fan-out/fan-out-plan';
import type { ServerFrame } from '../../src/domain/frames';

const FRAME: ServerFrame = { type: 'pong', at: '2024-05-01T12:00:00.000Z' };
const SETTINGS = { directMax: 100, maxShards: 16, subscribersPerJob: 500 };

describe('planFanOut', () => {
  it('keeps a channel of up to directMax subscribers in the publishing invocation', () => {
    expect(planFanOut('topic:a', FRAME, 0, SETTINGS)).toEqual({ mode: 'direct' });
    expect(planFanOut('topic:a', FRAME, 100, SETTINGS)).toEqual({ mode: 'direct' });
  });

  it('gives a larger channel one job per shard, each from the start of its shard', () => {
    const plan = planFanOut('topic:a', FRAME, 1_200, SETTINGS, { connectionId: 'sender' });

    expect(plan.mode).toBe('queued');
    if (plan.mode !== 'queued') return;
    expect(plan.jobs.map((job) => job.shard)).toEqual([
      { index: 0, of: 3 },
      { index: 1, of: 3 },
      { index: 2, of: 3 },
    ]);
    expect(plan.jobs.every((job) => job.cursor === null && job.channel === 'topic:a' && job.exclude === 'sender')).toBe(
      true,
    );
  });

  it('puts what a presence announcement skips (users) in every job, and leaves it out when there is none', () => {
    const plan = planFanOut('chat', FRAME, 1_200, SETTINGS, { userIds: ['u1', 'u2'] });
    const plain = planFanOut('chat', FRAME, 1_200, SETTINGS, { userIds: [] });

    expect(plan.mode === 'queued' && plan.jobs.map((job) => job.excludeUsers)).toEqual([
      ['u1', 'u2'],
      ['u1', 'u2'],
      ['u1', 'u2'],
    ]);
    expect(plan.mode === 'queued' && plan.jobs.every((job) => job.exclude === undefined)).toBe(true);
    expect(plain.mode === 'queued' && plain.jobs.every((job) => !('excludeUsers' in job) && !('exclude' in job))).toBe(
      true,
    );
  });

  it('never splits into more than maxShards shards', () => {
    const plan = planFanOut('topic:a', FRAME, 1_000_000, SETTINGS);

    expect(plan.mode === 'queued' && plan.jobs.length).toBe(16);
  });

  it('continues a shard from where its job stopped, and ends it at the last page', () => {
    const plan = planFanOut('topic:a', FRAME, 101, SETTINGS);
    const job = plan.mode === 'queued' ? plan.jobs[0] : undefined;
    if (!job) throw new Error('no job');

    expect(continuationOf(job, 'c42')).toEqual({ ...job, cursor: 'c42' });
    expect(continuationOf(job, null)).toBeNull();
  });
});

describe('backoffDelayMs', () => {
  const backoff = { attempts: 6, baseMs: 50, maxMs: 2000 };

  it('doubles the ceiling of the wait with each retry, up to maxMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelayMs(retry, backoff, () => 0.999999));

    expect(ceilings).toEqual([49, 99, 199, 399, 799, 1599, 1999]);
  });

  it('spreads the wait over the whole interval (full jitter)', () => {
    expect(backoffDelayMs(3, backoff, () => 0)).toBe(0);
    expect(backoffDelayMs(3, backoff, () => 0.5)).toBe(100);
  });
});
