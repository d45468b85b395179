import { join } from 'node:path';
import { selectRoute } from '../../packages/local/src/route-selection';
import type { LocalStack } from '../../packages/local/src/stack';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';
import { openSocket, type TestSocket } from './support/test-socket';

const routes = new Set(['$connect', '$default', 'publish', 'nested']);
const select = (frame: string, expression = '$request.body.action', keys = routes) =>
  selectRoute(expression, Buffer.from(frame), false, keys);

describe('route selection', () => {
  it('picks the route named by the expression', () => {
    expect(select('{"action":"publish"}')).toBe('publish');
  });

  it('follows a nested path', () => {
    expect(select('{"meta":{"kind":"nested"}}', '$request.body.meta.kind')).toBe('nested');
  });

  it.each(['not json', '[1,2]', '{"topic":"t"}', '{"action":"unknown"}', '{"action":"$connect"}', '"publish"'])(
    'sends %s to $default',
    (frame) => expect(select(frame)).toBe('$default'),
  );

  it('sends binary frames to $default', () => {
    expect(selectRoute('$request.body.action', Buffer.from('{"action":"publish"}'), true, routes)).toBe('$default');
  });

  it('matches nothing without a $default route', () => {
    expect(select('{"action":"unknown"}', '$request.body.action', new Set(['publish']))).toBeNull();
  });
});

describe("route selection through the local gateway, by a template's own expression", () => {
  let stack: LocalStack;
  let socket: TestSocket;

  beforeAll(async () => {
    stack = await startFixtureStack({ templatePath: join(FIXTURES, 'kind-template.yaml'), quiet: true });
    socket = await openSocket(`${stack.wsUrl}/kinds`);
  });

  afterAll(async () => {
    socket.ws.terminate();
    await stack.stop();
  });

  const routeOf = async (frame: string): Promise<string> => {
    socket.ws.send(frame);
    return (await socket.next<{ routeKey: string; body: string }>((reply) => reply.body === frame)).routeKey;
  };

  it('routes by $request.body.kind when the template says so', async () => {
    await expect(routeOf('{"kind":"greet"}')).resolves.toBe('greet');
  });

  it('does not route by action, which this template does not name', async () => {
    await expect(routeOf('{"action":"greet"}')).resolves.toBe('$default');
  });

  it('sends a kind without a route to $default', async () => {
    await expect(routeOf('{"kind":"wave"}')).resolves.toBe('$default');
  });
});
