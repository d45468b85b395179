import { defaultScenario, localScenario, runScenario } from '../../bench/simulation/run-scenario';

/** The simulation of the local stack, with measured costs charged to its one event loop. */
describe('localScenario', () => {
  it('is bound by the event loop when posts cost more than the latency spreads over the calls in flight', async () => {
    // 1,000 posts of 1 ms each, no latency: the last one cannot land before 1 s, and nothing else adds to it.
    const r = await runScenario(localScenario(1000, 0, { callMs: 1, pageMs: 0 }, { design: 'single-invocation' }));
    expect(r.lost).toBe(0);
    expect(r.lastDeliveryS).toBeCloseTo(1.0, 6);
    expect(r.localBusyMs).toBeCloseTo(1000, 6);
  });

  it('is bound by the latency when posts are cheap: 50 in flight, a fixed 20 ms each', async () => {
    const r = await runScenario(localScenario(1000, 20, { callMs: 0, pageMs: 0 }, { design: 'single-invocation' }));
    expect(r.lost).toBe(0);
    expect(r.lastDeliveryS).toBeCloseTo((1000 / 50) * 0.02, 6);
  });

  it('charges every read request, the count and each page, to the event loop', async () => {
    // The queued design counts (one GetItem), then the worker reads 500 per job in pages of 100.
    const r = await runScenario(localScenario(1000, 0, { callMs: 0, pageMs: 10 }));
    expect(r.readUnits).toBeGreaterThan(0);
    expect(r.localBusyMs).toBe(10 * (1 + 10));
  });

  it('gets nothing from more workers: the local stack has one event loop for all of them', async () => {
    const costs = { callMs: 0.5, pageMs: 2 };
    const few = await runScenario(localScenario(4000, 20, costs, { workerConcurrency: 2 }));
    const many = await runScenario(localScenario(4000, 20, costs, { workerConcurrency: 20 }));
    expect(many.lastDeliveryS).toBeGreaterThanOrEqual((4000 * 0.5) / 1000);
    expect(many.lastDeliveryS / few.lastDeliveryS).toBeGreaterThan(0.9);
  });

  it('leaves the AWS scenario without local costs', async () => {
    const aws = defaultScenario(1000);
    expect(aws.localCosts).toBeNull();
    const r = await runScenario(aws);
    expect(r.localBusyMs).toBe(0);
  });
});
