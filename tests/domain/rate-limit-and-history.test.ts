import { RateLimitedError } from '../../src/domain/errors';
import { CHAT_ROOM } from '../../src/domain/model';
import { sendChat } from '../../src/domain/use-cases/chat';
import { disconnect } from '../../src/domain/use-cases/disconnect';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected } from './given';

describe('rate limits', () => {
  it('refuses a limited connection\'s chat message and stores nothing', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'flood');
    deps.rateLimiter.deny('flood');

    await expect(sendChat(deps, { connectionId: 'flood', text: 'spam', echoToSender: true })).rejects.toBeInstanceOf(RateLimitedError);

    expect(await deps.messages.latestSeq(CHAT_ROOM)).toBe(0);
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
