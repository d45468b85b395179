import type { ServerFrame } from '../../src/domain/frames';
import type { Connection } from '../../src/domain/model';
import { CONNECT_GRACE_MS } from '../../src/domain/model';
import { fanOut } from '../../src/domain/use-cases/fan-out';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

const CHANNEL = 'topic:news';
const FRAME: ServerFrame = { type: 'pong', at: '2024-05-01T12:00:00.000Z' };

async function givenSubscribers(deps: MemoryDependencies, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `c${index + 1}`);
  for (const connectionId of ids) {
    const connection: Connection = {
      connectionId,
      userId: `u-${connectionId}`,
      name: connectionId,
      connectedAt: '',
      resumed: false,
    };
    await deps.subscriptions.subscribe(CHANNEL, connection);
  }
  return ids;
}

describe('fanOut', () => {
  it('delivers to every subscriber across several pages', async () => {
    const deps = createMemoryDependencies({ pageSize: 3 });
    const ids = await givenSubscribers(deps, 10);

    const result = await fanOut(deps, CHANNEL, FRAME);

    expect(result).toEqual({ delivered: 10, gone: 0, failed: 0 });
    expect(deps.notifier.sent.map((sent) => sent.connectionId).sort()).toEqual([...ids].sort());
    expect(deps.subscriptions.pagesRead).toBe(4);
  });

  it('never has more sends in flight than settings.fanOutConcurrency', async () => {
    const deps = createMemoryDependencies({
      pageSize: 4,
      settings: { fanOutConcurrency: 3 },
      notifier: { delayMs: 5 },
    });
    await givenSubscribers(deps, 25);

    const result = await fanOut(deps, CHANNEL, FRAME);

    expect(result.delivered).toBe(25);
    expect(deps.notifier.maxInFlight).toBe(3);
  });

  it('keeps the bound full across page boundaries when pages are smaller than the bound', async () => {
    const deps = createMemoryDependencies({
      pageSize: 2,
      settings: { fanOutConcurrency: 5 },
      notifier: { delayMs: 5 },
    });
    await givenSubscribers(deps, 12);

    await fanOut(deps, CHANNEL, FRAME);

    expect(deps.notifier.maxInFlight).toBe(5);
  });

  it('stays within the bound when sends finish in a different order than they started', async () => {
    const deps = createMemoryDependencies({
      pageSize: 5,
      settings: { fanOutConcurrency: 4 },
      notifier: { delayMs: (connectionId) => (Number(connectionId.slice(1)) * 7) % 11 },
    });
    await givenSubscribers(deps, 30);

    const result = await fanOut(deps, CHANNEL, FRAME);

    expect(result.delivered).toBe(30);
    expect(deps.notifier.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('removes gone connections and carries on with the broadcast', async () => {
    const deps = createMemoryDependencies({ pageSize: 2 });
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await givenConnected(deps, id);
    deps.notifier.markGone('c2');
    deps.notifier.markGone('c4');
    deps.notifier.clear();
    deps.clock.advance(CONNECT_GRACE_MS + 1);

    const result = await fanOut(deps, 'chat', FRAME);

    expect(result).toEqual({ delivered: 3, gone: 2, failed: 0 });
    expect(deps.notifier.framesOfType('c5', 'pong')).toEqual([FRAME]);
    expect(await deps.connections.get('c2')).toBeUndefined();
    expect(await deps.connections.get('c4')).toBeUndefined();
    expect(deps.subscriptions.channelsOf('c2')).toEqual([]);
    expect(await deps.connections.get('c3')).toBeDefined();
  });

  it('cleans up gone connections side by side, and a failed cleanup fails neither the broadcast nor the others', async () => {
    const deps = createMemoryDependencies({ settings: { fanOutConcurrency: 10 } });
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    for (const id of ids) await givenConnected(deps, id);
    for (const id of ids.slice(0, 5)) deps.notifier.markGone(id);
    deps.clock.advance(CONNECT_GRACE_MS + 1);
    const remove = deps.connections.remove.bind(deps.connections);
    let inFlight = 0;
    let maxInFlight = 0;
    deps.connections.remove = async (connectionId) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      if (connectionId === 'c1') throw new Error('DynamoDB throttled the cleanup');
      return remove(connectionId);
    };

    const result = await fanOut(deps, 'chat', FRAME);

    expect(result).toEqual({ delivered: 1, gone: 5, failed: 0 });
    expect(maxInFlight).toBeGreaterThan(1);
    expect(await deps.connections.get('c1')).toBeDefined();
    for (const id of ['c2', 'c3', 'c4', 'c5']) expect(await deps.connections.get(id)).toBeUndefined();
  });

  it('does not remove a connection whose $connect may still be running (API Gateway answers 410 then too)', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'settled');
    deps.clock.advance(CONNECT_GRACE_MS + 1);
    await givenConnected(deps, 'connecting');
    deps.notifier.markGone('connecting');
    deps.notifier.markGone('settled');

    const result = await fanOut(deps, 'chat', FRAME);

    expect(result.gone).toBe(2);
    expect(await deps.connections.get('connecting')).toBeDefined();
    expect(await deps.connections.get('settled')).toBeUndefined();
  });

  it('counts a throwing send as failed and still delivers to the others', async () => {
    const deps = createMemoryDependencies({ pageSize: 2, settings: { fanOutConcurrency: 2 } });
    await givenSubscribers(deps, 5);
    deps.notifier.markFailing('c1');

    const result = await fanOut(deps, CHANNEL, FRAME);

    expect(result).toEqual({ delivered: 4, gone: 0, failed: 1 });
    expect(deps.notifier.sent.map((sent) => sent.connectionId).sort()).toEqual(['c2', 'c3', 'c4', 'c5']);
    expect(await deps.subscriptions.isSubscribed(CHANNEL, 'c1')).toBe(true);
  });

  it('skips the subscribers the exclude option names', async () => {
    const deps = createMemoryDependencies();
    await givenSubscribers(deps, 4);

    const result = await fanOut(deps, CHANNEL, FRAME, { exclude: (subscriber) => subscriber.connectionId === 'c3' });

    expect(result.delivered).toBe(3);
    expect(deps.notifier.framesFor('c3')).toEqual([]);
  });

  it('delivers nothing on a channel nobody listens to', async () => {
    const deps = createMemoryDependencies();

    const result = await fanOut(deps, CHANNEL, FRAME);

    expect(result).toEqual({ delivered: 0, gone: 0, failed: 0 });
  });
});
