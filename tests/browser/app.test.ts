/**
 * The web front end in real headless Chromium against the real local stack (gateway, handlers, dynalite):
 * what a person does in the page, checked through what the page shows.
 */
import type { Browser } from 'playwright-core';
import { WEBSOCKET_ARTICLE } from '../../src/adapters/article/websocket-article';
import { startLocalStack, type LocalStack } from '../../src/local/stack';
import { AppPage, byTestId, eventually } from './support/app-page';
import { launchChromium } from './support/chromium';
import { shootPanels } from './support/screenshots';
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

async function publishOverHttp(topic: string, message: unknown): Promise<number> {
  const response = await fetch(`${stack.httpUrl}/topics/${encodeURIComponent(topic)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { seq: number }).seq;
}

beforeAll(async () => {
  buildWeb();
  stack = await startLocalStack({
    projectRoot: PROJECT_ROOT,
    wsPort: 0,
    httpPort: 0,
    webPort: 0,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
    // Fast pace, several characters a frame: the whole article in a few seconds.
    env: { FEED_INTERVAL_MS: '5', FEED_CHUNK_SIZE: '4' },
  });
  browser = await launchChromium();
}, 180_000);

afterEach(async () => {
  await Promise.all(pages.splice(0).map((app) => app.close().catch(() => undefined)));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 30_000);

// First, so the chat history in the pictures is this test's own conversation.
describe('screenshots', () => {
  it('writes each panel at desktop and phone widths to docs/screenshots', async () => {
    const grace = await open();
    await grace.setName('Grace');
    const app = await open();
    await app.setName('Ada');
    await app.waitForStatus('connected');
    await grace.waitForStatus('connected');

    await app.sendChat('Morning! Is the deploy done?');
    await app.waitForChat('Morning! Is the deploy done?');
    await grace.sendChat('Yes, all green. The new feed is live.');
    await app.waitForChat('Yes, all green.');

    const topic = 'news.releases';
    await app.subscribe(topic);
    await app.subscribe('alerts');
    await publishOverHttp(topic, { version: '1.4.0', notes: 'Chat history and presence' });
    await publishOverHttp(topic, 'Tele-read resumes after reconnects');
    await eventually(async () => (await app.topicSeqs(topic)).length >= 2, 10_000, 'two topic messages');

    await app.locator('teleread').click();
    const refused = app.page.locator(`${byTestId('notice')}[data-kind="error"]`, { hasText: 'tele-read' });
    await eventually(async () => (await app.feedCursor()) >= 600 || (await refused.count()) > 0, 20_000, 'some text');
    await app.locator('stop').click();
    await app.page.locator(byTestId('feed-status'), { hasText: 'Stopped' }).waitFor();

    const files = await shootPanels(app.page);
    expect(files).toHaveLength(10);

    const dark = await AppPage.open(browser, `${stack.webUrl}/`, { colorScheme: 'dark' });
    pages.push(dark);
    await dark.waitForStatus('connected');
    await dark.waitForChat('Yes, all green.');
    await shootPanels(dark.page, '-dark');
  });
});

describe('connection', () => {
  it('connects on its own to the server named by config.json and shows who it is', async () => {
    const app = await open();
    expect(await app.locator('ws-url').inputValue()).toBe(stack.wsUrl);
    await app.waitForStatus('connected');
    const userId = await app.userId();
    expect(userId).not.toBe('');
    expect(await app.locator('user-id').textContent()).toBe(userId);
    expect(await app.locator('connected-at').textContent()).not.toBe('—');
    expect(await app.locator('connection-id').textContent()).toBe(await app.connectionId());
  });

  it('takes ?ws= over config.json', async () => {
    const url = stack.wsUrl.replace('localhost', '127.0.0.1');
    const app = await open(`?ws=${encodeURIComponent(url)}`);
    expect(await app.locator('ws-url').inputValue()).toBe(url);
    await app.waitForStatus('connected');
  });

  it('remembers the URL field in localStorage, and ?ws= still wins over it', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const other = stack.wsUrl.replace('localhost', '127.0.0.1');
    await app.locator('ws-url').fill(other);
    await app.locator('connect').click();
    await app.waitForStatus('connected');

    await app.page.goto(`${stack.webUrl}/`);
    expect(await app.locator('ws-url').inputValue()).toBe(other);
    await app.waitForStatus('connected');

    await app.page.goto(`${stack.webUrl}/?ws=${encodeURIComponent(stack.wsUrl)}&autoconnect=0`);
    expect(await app.locator('ws-url').inputValue()).toBe(stack.wsUrl);
    expect(await app.status()).toBe('disconnected');
  });

  it('shows an error for a server that is not there, and Disconnect stops retrying', async () => {
    const app = await open(`?ws=${encodeURIComponent('ws://127.0.0.1:9')}`);
    await app.waitForStatus('error');
    expect(await app.locator('status-detail').textContent()).toMatch(/Retrying in \d+ s/);
    await app.locator('disconnect').click();
    await app.waitForStatus('disconnected');
  });

  it('starts a new identity when the server refuses the stored token', async () => {
    const app = await open('?autoconnect=0');
    await app.page.evaluate((url) => localStorage.setItem(`switchboard.token:${url}`, 'v1.forged.token.value'), stack.wsUrl);
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    expect(await app.userId()).not.toBe('');
    await app.page.locator(byTestId('notice'), { hasText: 'no longer accepts this identity' }).waitFor();
    const stored = await app.page.evaluate((url) => localStorage.getItem(`switchboard.token:${url}`), stack.wsUrl);
    expect(stored).not.toBe('v1.forged.token.value');
  });

  it('resumes the same user after the server drops the socket, and Reset identity makes a new one', async () => {
    const app = await open();
    const userId = await app.userId();
    const dropped = await app.dropFromServer(stack.wsUrl);
    await eventually(async () => (await app.status()) === 'connected' && (await app.connectionId()) !== dropped, 15_000, 'reconnect');
    expect(await app.userId()).toBe(userId);
    await app.locator('session-resumed').waitFor();

    await app.locator('reset-identity').click();
    await eventually(async () => (await app.userId()) !== userId, 10_000, 'a new user id');
  });
});

describe('chat', () => {
  it('lets two pages chat both ways, with names, presence and who is here', async () => {
    const ada = await open();
    await ada.setName('Ada');
    await ada.waitForStatus('connected');
    await ada.page.locator(`${byTestId('who-user')}`, { hasText: 'Ada' }).waitFor();

    const grace = await open();
    await grace.setName('Grace');
    await ada.page.locator(byTestId('presence-line'), { hasText: 'Grace joined' }).waitFor();
    await ada.page.locator(byTestId('who-user'), { hasText: 'Grace' }).waitFor();

    await ada.sendChat('Hello from Ada');
    expect(await ada.waitForChat('Hello from Ada')).toEqual({ own: 'true', state: 'delivered' });
    expect(await grace.waitForChat('Hello from Ada')).toEqual({ own: 'false', state: 'delivered' });
    expect(await grace.page.locator(byTestId('chat-message'), { hasText: 'Hello from Ada' }).textContent()).toContain('Ada');

    await grace.locator('chat-input').fill('Hi Ada, Grace here');
    await grace.locator('chat-send').click();
    expect(await ada.waitForChat('Hi Ada, Grace here')).toEqual({ own: 'false', state: 'delivered' });
    expect(await grace.waitForChat('Hi Ada, Grace here')).toEqual({ own: 'true', state: 'delivered' });

    await grace.close();
    await ada.page.locator(byTestId('presence-line'), { hasText: 'Grace left' }).waitFor();
  });

  it('shows recent history on join', async () => {
    const first = await open();
    await first.waitForStatus('connected');
    const text = `history check ${Date.now()}`;
    await first.sendChat(text);
    await first.waitForChat(text);

    const later = await open();
    expect(await later.waitForChat(text)).toEqual({ own: 'false', state: 'delivered' });
  });

  it('keeps a message written while disconnected queued, and delivers it once on reconnect', async () => {
    const ada = await open();
    const bob = await open();
    await ada.waitForStatus('connected');
    await bob.waitForStatus('connected');
    await ada.locator('disconnect').click();
    await ada.waitForStatus('disconnected');

    const text = `queued while offline ${Date.now()}`;
    await ada.sendChat(text);
    const queued = ada.page.locator(`${byTestId('chat-outbox')} ${byTestId('chat-message')}`, { hasText: text });
    expect(await queued.getAttribute('data-state')).toBe('queued');

    await ada.locator('connect').click();
    expect(await ada.waitForChat(text)).toEqual({ own: 'true', state: 'delivered' });
    await queued.waitFor({ state: 'detached' });
    await bob.waitForChat(text);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await bob.page.locator(byTestId('chat-message'), { hasText: text }).count()).toBe(1);
  });
});

describe('tele-read', () => {
  it('continues without loss after the socket is dropped mid-read', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    await app.locator('teleread').click();
    await eventually(async () => (await app.feedCursor()) >= 200, 20_000, 'the first 200 characters');

    const dropped = await app.dropFromServer(stack.wsUrl);
    const cursorAtDrop = await app.feedCursor();
    expect(cursorAtDrop).toBeLessThan(WEBSOCKET_ARTICLE.text.length);
    await eventually(async () => (await app.connectionId()) !== dropped, 15_000, 'a new connection');

    await app.page.locator(`${byTestId('feed-text')}[data-finished="true"]`).waitFor({ timeout: 50_000 });
    expect(await app.feedText()).toBe(WEBSOCKET_ARTICLE.text);
    expect(await app.locator('feed-gap').count()).toBe(0);
    expect(await app.locator('feed-progress-text').textContent()).toBe(`${WEBSOCKET_ARTICLE.text.length} / ${WEBSOCKET_ARTICLE.text.length}`);
  }, 90_000);
});

describe('topics', () => {
  it('shows a message published over the HTTP API on a subscribed page', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const topic = `e2e.http.${Date.now()}`;
    await app.subscribe(topic);
    const seq = await publishOverHttp(topic, { headline: 'from the back end' });
    const row = app.page.locator(`${byTestId('topic-message')}[data-topic="${topic}"][data-seq="${seq}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('from the back end');
    expect(await row.textContent()).toContain('HTTP API');
  });

  it('publishes from the form and gets the ack', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const topic = `e2e.form.${Date.now()}`;
    await app.subscribe(topic);
    await app.locator('publish-topic').fill(topic);
    await app.locator('publish-format').selectOption('json');
    await app.locator('publish-message').fill('{"n": 1}');
    await app.locator('publish').click();
    await app.page.locator(byTestId('publish-status'), { hasText: 'as #1' }).waitFor();
    await app.page.locator(`${byTestId('topic-message')}[data-topic="${topic}"][data-seq="1"]`).waitFor();
  });

  it('misses nothing published while it was away, and shows no message twice', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const topic = `e2e.replay.${Date.now()}`;
    await app.subscribe(topic);
    await publishOverHttp(topic, 'one');
    await eventually(async () => (await app.topicSeqs(topic)).length === 1, 10_000, 'message 1');

    await app.locator('disconnect').click();
    await app.waitForStatus('disconnected');
    await publishOverHttp(topic, 'two');
    await publishOverHttp(topic, 'three');
    await app.locator('connect').click();
    await eventually(async () => (await app.topicSeqs(topic)).length >= 3, 10_000, 'the replay');
    await publishOverHttp(topic, 'four');
    await eventually(async () => (await app.topicSeqs(topic)).length >= 4, 10_000, 'message 4');
    expect(await app.topicSeqs(topic)).toEqual([1, 2, 3, 4]);
  });

  it('says in plain words when the server rejects a message as too large', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    await app.locator('publish-topic').fill('e2e.large');
    await app.locator('publish-message').fill('x'.repeat(17 * 1024));
    await app.locator('publish').click();
    await app.page.locator(byTestId('notice'), { hasText: 'too large' }).waitFor();
  });
});
