/**
 * Signing in with a JWT in real headless Chromium, against the local stack started as
 * `npm start -- --auth jwt` starts it: the local OIDC issuer beside the gateway, `/config.json` saying so.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser } from 'playwright-core';
import { type SwitchboardStack as LocalStack, startSwitchboardStack } from '../../scripts/local/switchboard-stack';
import { AppPage, byTestId, eventually } from './support/app-page';
import { launchChromium } from './support/chromium';
import { buildWeb, PROJECT_ROOT } from './support/web-build';

jest.setTimeout(60_000);

let stack: LocalStack;
let browser: Browser;
const pages: AppPage[] = [];

async function open(query = ''): Promise<AppPage> {
  const app = await AppPage.open(browser, `${stack.webUrl}/${query}`);
  pages.push(app);
  return app;
}

/** The URLs of the WebSockets a page opens, as Chromium sees them. */
function handshakes(app: AppPage): string[] {
  const urls: string[] = [];
  app.page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

async function signIn(app: AppPage, sub: string, name: string, ttlSeconds = 3600): Promise<void> {
  await app.locator('sign-in-sub').fill(sub);
  await app.locator('sign-in-name').fill(name);
  await app.locator('sign-in-ttl').fill(String(ttlSeconds));
  await app.locator('sign-in').click();
}

beforeAll(async () => {
  buildWeb();
  stack = await startSwitchboardStack({
    projectRoot: PROJECT_ROOT,
    wsPort: 0,
    httpPort: 0,
    webPort: 0,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
    auth: 'jwt',
    issuerPort: 0,
  });
  browser = await launchChromium();
}, 180_000);

afterEach(async () => {
  const open = pages.splice(0);
  const errors = open.flatMap((app) => app.errors);
  await Promise.all(open.map((app) => app.close().catch(() => undefined)));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 30_000);

describe('sign-in with the local issuer', () => {
  it('asks to sign in before connecting, then connects with a token the issuer signed for that user', async () => {
    const app = await open();
    const urls = handshakes(app);
    await app.locator('sign-in-panel').waitFor();

    expect(await app.status()).toBe('disconnected');
    expect(await app.locator('reset-identity').isHidden()).toBe(true);
    expect(urls).toEqual([]);

    await signIn(app, 'alice', 'Alice');
    await eventually(async () => urls.length > 0, 10_000, 'a handshake');
    const token = new URL(urls[0] ?? '').searchParams.get('token') ?? '';
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(stack.issuer?.jwksUrl ?? '')), {
      issuer: stack.issuer?.issuer ?? '',
      audience: stack.issuer?.audience ?? '',
    });

    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect(await app.locator('signed-in-as').textContent()).toBe('Alice (alice)');
  });

  it('refuses a sign-in without a user id, and stays disconnected', async () => {
    const app = await open();
    const urls = handshakes(app);
    await app.locator('sign-in-name').fill('Nobody');
    await app.locator('sign-in').click();

    await app.page.locator(byTestId('sign-in-problem'), { hasText: 'user id' }).waitFor();
    expect(await app.status()).toBe('disconnected');

    await app.locator('connect').click(); // signed out: nothing to connect with
    await app.page.locator(byTestId('notice'), { hasText: 'Sign in first' }).waitFor();
    await app.waitForStatus('disconnected');
    expect(urls).toEqual([]);
  });

  it('stays signed in across a reload, and signs out on demand', async () => {
    const app = await open();
    await signIn(app, 'bob', 'Bob');
    await app.page.reload();
    const urls = handshakes(app);
    await app.locator('signed-in-as').waitFor();
    await eventually(async () => urls.length > 0, 10_000, 'a handshake after the reload');

    await app.locator('sign-out').click();

    await app.waitForStatus('disconnected');
    expect(await app.locator('sign-in').isVisible()).toBe(true);
  });

  it('a signed-in user chats and keeps reading across token refreshes, and comes back as the same user', async () => {
    const app = await open();
    await signIn(app, 'carol', 'Carol', 20); // refreshed half-way, every 10 s
    const userId = await app.userId();
    const first = await app.connectionId();
    expect(userId).toBe('carol@jwt');

    await app.sendChat('before the refresh');
    await app.waitForChat('before the refresh');
    await eventually(async () => (await app.connectionId()) !== first, 20_000, 'a renewed connection');
    await app.waitForStatus('connected');
    await app.sendChat('after the refresh');
    await app.waitForChat('after the refresh');
    expect(await app.userId()).toBe(userId);

    const other = await open();
    await signIn(other, 'carol', 'Carol');
    expect(await other.userId()).toBe(userId);
  });
});
