import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../packages/local/src/stack';
import { runChatScenario } from './support/chat-scenario';
import { FIXTURES } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

const APP = join(FIXTURES, 'apps', 'cjs-authorizer');

// The app is plain CommonJS (Handler app.handler, no esbuild metadata), loaded natively, and its SDK clients
// take no endpoint: they reach the local stack through the SDK's AWS_ENDPOINT_URL_* variables.
describe('the CommonJS chat app with a REQUEST authorizer on $connect, run unmodified', () => {
  let stack: LocalStack;
  const url = (token?: string): string => `${stack.wsUrl}/${stack.stage}${token ? `?token=${token}` : ''}`;

  beforeAll(async () => {
    stack = await startLocalStack({
      templatePath: join(APP, 'template.yaml'),
      projectRoot: APP,
      wsPort: 0,
      httpPort: 0,
      dynamoPort: 0,
      dataDir: null,
      quiet: true,
      log: () => undefined,
    });
  });

  afterAll(() => stack.stop());

  const refusal = (address: string): Promise<number> =>
    openSocket(address).then(
      (socket) => {
        socket.ws.close();
        throw new Error('the handshake was accepted');
      },
      (refused: { status?: number }) => refused.status ?? 0,
    );

  it('creates its SimpleTable under the TableName parameter', () => {
    expect(stack.tableName('ConnectionsTable')).toBe('cjs_chat_connections');
  });

  it('lets signed-in users chat and disconnect', async () => {
    await runChatScenario(`${stack.wsUrl}/${stack.stage}`, { query: '?token=letmein-alice' });
  });

  it('refuses a handshake without a token with 401, an unknown token with 401, a banned one with 403', async () => {
    expect(await refusal(url())).toBe(401);
    expect(await refusal(url('guess'))).toBe(401);
    expect(await refusal(url('letmein-mallory'))).toBe(403);
  });

  it("passes the authorizer's context to $connect and to later routes", async () => {
    const socket = await openSocket(url('letmein-alice'));
    socket.ws.send(JSON.stringify({ action: 'whoami' }));

    await expect(socket.next()).resolves.toEqual({
      principalId: 'user|alice',
      userName: 'Alice',
      connectedAs: 'Alice',
    });
    socket.ws.close();
    await socket.closed;
  });
});
