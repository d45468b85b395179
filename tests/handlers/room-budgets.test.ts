import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { chatHistory, sendChat } from '../../src/domain/use-cases/chat';
import { joinRoom } from '../../src/domain/use-cases/join-room';
import { createObservability } from '../../src/handlers/observability';
import { createWsHandler, route } from '../../src/handlers/ws/create-ws-handler';
import { frames } from '../../src/handlers/ws/schemas';
import type { WebSocketEvent } from '../../src/handlers/ws/ws-event';
import { givenConnected } from '../domain/given';
import { PROJECT_ROOT } from '../support/embedded-table';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';

/**
 * The message-route pipeline (validation, then the budget, then the use case) with in-memory adapters:
 * which budget a frame draws from, and that a frame with a bad room draws from none.
 */
const routes = {
  sendmessage: route(frames.chat, async ({ message, id, room }, { deps, connectionId }) => {
    await sendChat(deps, { connectionId, text: message, id, room, echoToSender: true });
  }),
  history: route(frames.history, async (request, { deps, connectionId }) => ({
    type: 'history',
    ...(await chatHistory(deps, { connectionId, ...request })),
  })),
  join: route(frames.join, async ({ room, name }, { deps, connectionId }) => {
    await joinRoom(deps, { connectionId, room, name });
  }),
};

const context = { functionName: 'ChatFunction', awsRequestId: 'request-1' } as unknown as Context;

function event(routeKey: string, body: unknown): WebSocketEvent {
  const sample = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', 'sendmessage.json'), 'utf8')) as WebSocketEvent;
  sample.requestContext.routeKey = routeKey;
  sample.requestContext.connectionId = 'ada-1';
  sample.body = JSON.stringify(body);
  return sample;
}

async function handled(deps: MemoryDependencies, routeKey: string, body: unknown): Promise<void> {
  const handler = createWsHandler({ routes, dependencies: async () => deps, observability: createObservability() });
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await handler(event(routeKey, body), context);
  } finally {
    quiet.mockRestore();
  }
}

describe('the budget a room frame draws from', () => {
  it('draws chat and reads from the room the frame names, the default room when it names none', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });

    await handled(deps, 'sendmessage', { action: 'sendmessage', message: 'hi', room: 'kitchen' });
    await handled(deps, 'sendmessage', { action: 'sendmessage', message: 'hi' });
    await handled(deps, 'history', { action: 'history', room: 'kitchen' });
    await handled(deps, 'join', { action: 'join', room: 'garden' });

    expect(deps.rateLimiter.asked).toEqual([
      { connectionId: 'ada-1', routeClass: 'chat', room: 'kitchen' },
      { connectionId: 'ada-1', routeClass: 'chat', room: 'lobby' },
      { connectionId: 'ada-1', routeClass: 'read', room: 'kitchen' },
      { connectionId: 'ada-1', routeClass: 'subscribe' },
    ]);
  });

  it.each([
    ['sendmessage', { action: 'sendmessage', message: 'hi', room: 'bad room' }],
    ['sendmessage', { action: 'sendmessage', message: 'hi', room: 42 }],
    ['history', { action: 'history', room: '' }],
    ['join', { action: 'join', room: 'x'.repeat(129) }],
  ])('refuses %s with a bad room by validation, drawing on no budget', async (routeKey, body) => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    deps.notifier.clear();

    await handled(deps, routeKey, body);

    expect(deps.rateLimiter.asked).toEqual([]);
    expect(deps.notifier.framesFor('ada-1')).toEqual([
      expect.objectContaining({ type: 'error', code: 'invalid_frame', message: expect.stringContaining('"room"') }),
    ]);
  });

  it('answers rate_limited for a spent room and lets the same frame through in another', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'ada-1');
    await joinRoom(deps, { connectionId: 'ada-1', room: 'kitchen' });
    deps.rateLimiter.deny('ada-1', 'chat', 'kitchen');
    deps.notifier.clear();

    await handled(deps, 'sendmessage', { action: 'sendmessage', message: 'spent', room: 'kitchen' });
    await handled(deps, 'sendmessage', { action: 'sendmessage', message: 'fine' });

    expect(deps.notifier.framesFor('ada-1')).toEqual([
      expect.objectContaining({ type: 'error', code: 'rate_limited', action: 'sendmessage' }),
      expect.objectContaining({ type: 'chat', room: 'lobby', message: 'fine' }),
    ]);
  });
});
