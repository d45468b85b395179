import { nextReport } from './fixtures/handlers/probe';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

interface LifecycleEvent {
  queryStringParameters?: Record<string, string> | null;
  requestContext: { connectionId: string; disconnectStatusCode?: number };
}

describe('the local stack', () => {
  it('closes open sockets with 1001 on stop, so that $disconnect runs before DynamoDB goes', async () => {
    const stack = await startFixtureStack({ quiet: true });
    const connected = nextReport<LifecycleEvent>('connect', (e) => e.queryStringParameters?.tag === 'stop');
    const socket = await openSocket(`${stack.wsUrl}?tag=stop`);
    const { requestContext } = await connected;
    const disconnected = nextReport<LifecycleEvent>(
      'disconnect',
      (e) => e.requestContext.connectionId === requestContext.connectionId,
    );

    await stack.stop();

    await expect(socket.closed).resolves.toMatchObject({ code: 1001 });
    await expect(disconnected).resolves.toMatchObject({ requestContext: { disconnectStatusCode: 1001 } });
  });
});
