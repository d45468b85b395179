import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('serves /config.json pointing at the local gateway, and says when the front end is not built', async () => {
    const stack = await startFixtureStack({ quiet: true, webPort: 0 });
    try {
      const config = await fetch(`${stack.webUrl}/config.json`).then((r) => r.json());
      const page = await fetch(`${stack.webUrl}/`).then((r) => r.text());

      expect(config).toEqual({ wsUrl: stack.wsUrl, httpUrl: stack.httpUrl });
      expect(page).toMatch(/not built/);
      expect(stack.lines.some((l) => l.includes('web/dist is not built'))).toBe(true);
    } finally {
      await stack.stop();
    }
  });

  it('serves the built front end from web/dist, with index.html for client-side routes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
    mkdirSync(join(root, 'web', 'dist', 'assets'), { recursive: true });
    writeFileSync(join(root, 'web', 'dist', 'index.html'), '<h1>Switchboard</h1>');
    writeFileSync(join(root, 'web', 'dist', 'assets', 'app.js'), 'console.log(1)');
    const stack = await startFixtureStack({
      quiet: true,
      webPort: 0,
      projectRoot: root,
      templatePath: join(__dirname, 'fixtures', 'template.yaml'),
    });
    try {
      const script = await fetch(`${stack.webUrl}/assets/app.js`);
      const route = await fetch(`${stack.webUrl}/chat`);
      const missing = await fetch(`${stack.webUrl}/assets/nope.js`);
      const escaped = await fetch(`${stack.webUrl}/..%2F..%2Fetc%2Fpasswd`);

      expect(script.headers.get('content-type')).toMatch(/javascript/);
      await expect(script.text()).resolves.toBe('console.log(1)');
      await expect(route.text()).resolves.toBe('<h1>Switchboard</h1>');
      expect(missing.status).toBe(404);
      expect([403, 404]).toContain(escaped.status);
    } finally {
      await stack.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
