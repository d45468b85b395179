import { UnauthorizedError } from '../../src/domain/errors';
import { ROUTE_CLASSES } from '../../src/domain/limits';
import { admitFrame } from '../../src/domain/use-cases/admit-frame';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

describe('rate limits', () => {
  it("refuses a frame whose class is spent, and lets the connection's other classes through", async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'flood');
    deps.rateLimiter.deny('flood', 'read');

    await expect(admitFrame(deps, 'flood', 'read', deps.clock.now())).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(admitFrame(deps, 'flood', 'chat', deps.clock.now())).resolves.toBeUndefined();
    expect(deps.rateLimiter.asked).toEqual([
      { connectionId: 'flood', routeClass: 'read' },
      { connectionId: 'flood', routeClass: 'chat' },
    ]);
  });

  it('answers unauthorized for a connection the limiter has no record of', async () => {
    const limiter = { tryAcquire: async () => 'unknown' as const };

    await expect(admitFrame({ rateLimiter: limiter }, 'ghost', 'publish', new Date())).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('draws every action but ping from a budget, and the chat budget for reset', () => {
    const actions = [
      'hello',
      'ping',
      'reset',
      'subscribe',
      'unsubscribe',
      'publish',
      'sendmessage',
      'send',
      'history',
      'who',
      'teleread',
      'teleprinter',
      'stop',
    ];

    const classes = Object.fromEntries(actions.map((action) => [action, ROUTE_CLASSES[action]]));

    expect(classes).toEqual({
      hello: 'session',
      ping: 'free',
      reset: 'chat',
      subscribe: 'subscribe',
      unsubscribe: 'subscribe',
      publish: 'publish',
      sendmessage: 'chat',
      send: 'chat',
      history: 'read',
      who: 'read',
      teleread: 'session',
      teleprinter: 'session',
      stop: 'session',
    });
  });
});

describe('session history', () => {
  it('records times, duration and source of a closed connection', async () => {
    const deps = createMemoryDependencies({ now: '2026-11-22T10:00:00.000Z' });
    const { user } = await givenConnected(deps, 'c1', { sourceIp: '198.51.100.9', userAgent: 'test-agent' });
    deps.clock.advance(90_000);

    await disconnect(deps, 'c1');

    expect(await deps.sessions.list(user.userId, 10)).toEqual([
      {
        connectionId: 'c1',
        connectedAt: '2026-11-22T10:00:00.000Z',
        disconnectedAt: '2026-11-22T10:01:30.000Z',
        durationMs: 90_000,
        sourceIp: '198.51.100.9',
        userAgent: 'test-agent',
      },
    ]);
  });
});
