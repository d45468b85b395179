/**
 * The web front end in real headless Chromium against the real local stack (gateway, handlers, dynalite):
 * what a person does in the page, checked through what the page shows. A failing test prints its pages'
 * WebSocket frames.
 *
 * @jest-environment ./tests/browser/support/failure-aware-environment.ts
 */
import type { Browser } from 'playwright-core';
import { type SwitchboardStack as LocalStack, startSwitchboardStack } from '../../scripts/local/switchboard-stack';
import { WEBSOCKET_ARTICLE } from '../../src/adapters/article/websocket-article';
import { AppPage, byTestId, eventually, framesReport, PHONE } from './support/app-page';
import { launchChromium } from './support/chromium';
import { shootPanels } from './support/screenshots';
import { testHasFailed } from './support/test-outcome';
import { buildWeb, PROJECT_ROOT } from './support/web-build';

jest.setTimeout(60_000);

let stack: LocalStack;
let browser: Browser;
const pages: AppPage[] = [];

async function open(query = '', options: Parameters<typeof AppPage.open>[2] = {}): Promise<AppPage> {
  const app = await AppPage.open(browser, `${stack.webUrl}/${query}`, options);
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
  stack = await startSwitchboardStack({
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
  const open = pages.splice(0);
  const errors = open.flatMap((app) => app.errors);
  // What the pages said to the server and heard back, to read a failure seen once (in CI) from its log.
  if (testHasFailed()) console.log(framesReport(expect.getState().currentTestName ?? '', open));
  await Promise.all(open.map((app) => app.close().catch(() => undefined)));
  expect(errors).toEqual([]);
});

const tokenOf = (app: AppPage): Promise<string | null> =>
  app.page.evaluate((url) => localStorage.getItem(`switchboard.token:${url}`), stack.wsUrl);

const errorNotice = (app: AppPage, text: string) =>
  app.page.locator(`${byTestId('notice')}[data-kind="error"]`, { hasText: text });

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 30_000);

// First, so the chat history in the pictures is this test's own conversation.
describe('screenshots', () => {
  it('writes each panel at desktop and phone widths (to docs/screenshots with UPDATE_SCREENSHOTS=1)', async () => {
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
    // A second room, shown, with the lobby beside it.
    await app.joinRoom('design');
    await grace.joinRoom('design');
    await app.roomPanel('design').locator(byTestId('who-user'), { hasText: 'Grace' }).waitFor();
    await grace.sendChat('Mock-ups for the rooms tabs are up.');
    await app.waitForChatIn('design', 'Mock-ups for the rooms tabs are up.');
    await app.sendChat('Looks good, shipping it.');
    await app.waitForChatIn('design', 'Looks good, shipping it.');

    const topic = 'news.releases';
    await app.subscribe(topic);
    await app.subscribe('alerts');
    await publishOverHttp(topic, { version: '1.4.0', notes: 'Chat history and presence' });
    await publishOverHttp(topic, 'Tele-read resumes after reconnects');
    await eventually(async () => (await app.topicSeqs(topic)).length >= 2, 10_000, 'two topic messages');

    await app.locator('teleread').click();
    const refused = errorNotice(app, 'tele-read');
    await eventually(
      async () => {
        if ((await refused.count()) > 0) throw new Error(`tele-read failed: ${await refused.first().textContent()}`);
        return (await app.feedCursor()) >= 600;
      },
      20_000,
      'some text',
    );
    await app.locator('stop').click();
    await app.page.locator(byTestId('feed-status'), { hasText: 'Stopped' }).waitFor();

    const files = await shootPanels(app.page);
    expect(files).toHaveLength(10);

    const dark = await AppPage.open(browser, `${stack.webUrl}/`, { colorScheme: 'dark' });
    pages.push(dark);
    await dark.waitForStatus('connected');
    await dark.waitForChatIn('lobby', 'Yes, all green.');
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
    // While an attempt is under way the status stays `error` without a countdown: wait for the next wait.
    await app.page.locator(byTestId('status-detail'), { hasText: /Retrying in \d+ s/ }).waitFor();
    await app.locator('disconnect').click();
    await app.waitForStatus('disconnected');
  });

  it('starts a new identity when the server refuses the stored token', async () => {
    const app = await open('?autoconnect=0');
    await app.page.evaluate(
      (url) => localStorage.setItem(`switchboard.token:${url}`, 'v1.forged.token.value'),
      stack.wsUrl,
    );
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    expect(await app.userId()).not.toBe('');
    await app.page.locator(byTestId('notice'), { hasText: 'no longer accepts this identity' }).waitFor();
    const stored = await app.page.evaluate((url) => localStorage.getItem(`switchboard.token:${url}`), stack.wsUrl);
    expect(stored).not.toBe('v1.forged.token.value');
  });

  it('disconnects on its own after the seconds set, and stays disconnected', async () => {
    const app = await open();
    await app.waitForStatus('connected'); // a first connection warms the stack up, so the next takes well under 2 s
    await app.locator('auto-disconnect').fill('2');
    const clickedAt = Date.now(); // the 2 s count from Connect, not from when the session came
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    await app.page
      .locator(byTestId('notice'), { hasText: 'Disconnected automatically after 2 s' })
      .waitFor({ timeout: 10_000 });
    expect(await app.status()).toBe('disconnected');
    expect(Date.now() - clickedAt).toBeGreaterThanOrEqual(1900);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await app.status()).toBe('disconnected');
  });

  it('shows a session timer that advances while connected', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const timer = app.locator('session-timer');
    expect(await timer.textContent()).toMatch(/^00:0[01]$/);
    await app.page.waitForFunction(
      () => /^00:0[2-9]$/.test(document.querySelector('[data-testid="session-timer"]')?.textContent ?? ''),
      null,
      {
        timeout: 6_000,
      },
    );
  });

  it('resumes the same user after the server drops the socket, and Reset identity makes a new one', async () => {
    const app = await open();
    const userId = await app.userId();
    const dropped = await app.dropFromServer(stack.wsUrl);
    await eventually(
      async () => (await app.status()) === 'connected' && (await app.connectionId()) !== dropped,
      15_000,
      'reconnect',
    );
    expect(await app.userId()).toBe(userId);
    await app.locator('session-resumed').waitFor();

    await app.locator('reset-identity').click();
    await eventually(async () => (await app.userId()) !== userId, 10_000, 'a new user id');
  });
});

describe('display name', () => {
  it('refuses a name with a zero-width space in plain words, and keeps the identity', async () => {
    const app = await open();
    const userId = await app.userId();
    const connectionId = await app.connectionId();
    const token = await tokenOf(app);

    await app.setName('Ada\u200b');
    await errorNotice(app, 'invisible').waitFor();
    expect(await errorNotice(app, 'invisible').textContent()).toContain('zero-width space');
    expect(await app.locator('chat-name').getAttribute('aria-invalid')).toBe('true');
    expect(await app.page.evaluate(() => localStorage.getItem('switchboard.name'))).toBeNull();

    expect(await app.status()).toBe('connected');
    expect(await app.connectionId()).toBe(connectionId);
    expect(await app.userId()).toBe(userId);
    expect(await tokenOf(app)).toBe(token);
    await app.setName('Ada');
    await app.page.locator(byTestId('who-user'), { hasText: 'Ada' }).waitFor();
    expect(await app.userId()).toBe(userId);
  });

  it('keeps the identity when the server refuses a name the page let through, and forgets the name', async () => {
    const app = await open();
    await app.setName('Ada');
    await app.page.locator(byTestId('who-user'), { hasText: 'Ada' }).waitFor();
    const userId = await app.userId();

    // As a page whose rules differ from the server's might: the client package refuses this name itself
    // (setName throws InvalidNameError), so it is put past that check, and the server answers the
    // handshake that carries it with 400.
    await app.page.evaluate(() => {
      localStorage.setItem('switchboard.name', 'Eve\u2066');
      const client = (globalThis as unknown as { switchboard: Record<string, unknown> }).switchboard as {
        name: string;
        diagnosis: { nameChanged(hasName: boolean): void };
        renew(): void;
      };
      client.name = 'Eve\u2066';
      client.diagnosis.nameChanged(true);
      client.renew();
    });
    await errorNotice(app, 'The server refused the display name').waitFor();
    await app.waitForStatus('connected');
    expect(await app.userId()).toBe(userId);
    expect(await tokenOf(app)).not.toBeNull(); // renewed with each session, for the same user
    expect(await app.page.evaluate(() => localStorage.getItem('switchboard.name'))).toBeNull();
    await app.page.locator(byTestId('who-user'), { hasText: 'Ada' }).waitFor();
  });

  it('lists itself under its new name even when the who after the rename gets no answer', async () => {
    const app = await open('?autoconnect=0');
    // A handler that fails answers with API Gateway's own error frame, which names no request: here it takes
    // the place of the answer to the first who on the connection that carries the new name.
    await app.page.routeWebSocket(/.*/, (ws) => {
      const server = ws.connectToServer();
      let lost = false;
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { action?: string };
        if (frame.action === 'who' && ws.url().includes('name=Ada') && !lost) {
          lost = true;
          ws.send(JSON.stringify({ message: 'Internal server error', connectionId: 'c', requestId: 'r' }));
        } else {
          server.send(message);
        }
      });
    });
    await app.locator('connect').click();
    await app.page.locator(byTestId('who-user')).first().waitFor();
    await app.setName('Ada');
    await errorNotice(app, 'The server failed to handle a request').first().waitFor();
    await app.page.locator(byTestId('who-user'), { hasText: 'Ada' }).waitFor();
  });

  it('connects without a stored name the server would refuse', async () => {
    const app = await open('?autoconnect=0');
    await app.page.evaluate(() => localStorage.setItem('switchboard.name', 'Mallory\u202e'));
    await app.page.reload();
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    expect(await app.page.evaluate(() => localStorage.getItem('switchboard.name'))).toBeNull();
    expect(await app.locator('chat-name').inputValue()).toBe('');
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
    await ada.page.locator(byTestId('presence-line'), { hasText: /Grace #[0-9a-z]{8} joined/ }).waitFor();
    await ada.page.locator(byTestId('who-user'), { hasText: 'Grace' }).waitFor();

    await ada.sendChat('Hello from Ada');
    expect(await ada.waitForChat('Hello from Ada')).toEqual({ own: 'true', state: 'delivered' });
    expect(await grace.waitForChat('Hello from Ada')).toEqual({ own: 'false', state: 'delivered' });
    expect(await grace.page.locator(byTestId('chat-message'), { hasText: 'Hello from Ada' }).textContent()).toContain(
      'Ada',
    );

    await grace.locator('chat-input').fill('Hi Ada, Grace here');
    await grace.locator('chat-send').click();
    expect(await ada.waitForChat('Hi Ada, Grace here')).toEqual({ own: 'false', state: 'delivered' });
    expect(await grace.waitForChat('Hi Ada, Grace here')).toEqual({ own: 'true', state: 'delivered' });

    await grace.close();
    await ada.page.locator(byTestId('presence-line'), { hasText: /Grace #[0-9a-z]{8} left/ }).waitFor();
  });

  it('shows every name with its user’s tag, so that a look-alike name cannot pass for another user', async () => {
    const ada = await open();
    await ada.setName('Ada');
    await ada.waitForStatus('connected');
    const impostor = await open();
    await impostor.setName('\u0410da'); // a Cyrillic А
    await impostor.waitForStatus('connected');
    await impostor.sendChat('it is me, Ada');

    const message = ada.page.locator(byTestId('chat-message'), { hasText: 'it is me, Ada' });
    await message.waitFor();
    const who = ada.page.locator(byTestId('who-user'), { hasText: /da( \(you\))? #/ });
    await eventually(async () => (await who.count()) >= 2);
    const listed = await who.evaluateAll((rows) =>
      rows.map((row) => ({
        userId: row.getAttribute('data-user-id') ?? '',
        tag: row.querySelector('[data-testid="user-tag"]')?.textContent,
      })),
    );
    const ownTag = await ada.page.locator(`${byTestId('who-user')}.self ${byTestId('user-tag')}`).textContent();
    const tagInMessage = await message.locator(byTestId('user-tag')).textContent();

    for (const { userId, tag } of listed)
      expect(tag).toBe(
        `#${userId
          .replace(/[^A-Za-z0-9]/g, '')
          .slice(0, 8)
          .toLowerCase()}`,
      );
    expect(new Set(listed.map((entry) => entry.tag)).size).toBe(listed.length);
    expect(listed.map((entry) => entry.tag)).toContain(tagInMessage);
    expect(tagInMessage).not.toBe(ownTag);
    expect(await ada.page.locator(byTestId('chat-me'), { hasText: /You appear as Ada #[0-9a-z]{8}\./ }).count()).toBe(
      1,
    );
  });

  it('refuses a message with a direction override in the page, in plain words, and sends nothing', async () => {
    const app = await open();
    await app.waitForStatus('connected');

    await app.locator('chat-input').fill('invoice\u202egnp.exe');
    await app.locator('chat-send').click();

    await errorNotice(app, 'direction mark').waitFor();
    expect(await app.page.locator(byTestId('chat-message'), { hasText: 'invoice' }).count()).toBe(0);
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

describe('rooms', () => {
  const roomName = (what: string) => `e2e.${what}.${Date.now().toString(36)}`;

  it('opens on the default room, which is where chat happens, as before', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const tabs = app.page.locator(byTestId('room-tab'));
    expect(await tabs.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-room')))).toEqual(['lobby']);
    expect(await app.roomTab('lobby').getAttribute('aria-selected')).toBe('true');
    expect(await app.locator('room-leave').isHidden()).toBe(true);
    const text = `in the lobby ${Date.now()}`;
    await app.sendChat(text);
    expect(await app.waitForChatIn('lobby', text)).toEqual({ own: 'true' });
  });

  it('joins a room from two pages, chats in it, and the other page sees it only in that room', async () => {
    const room = roomName('design');
    const ada = await open();
    await ada.setName('Ada');
    const grace = await open();
    await grace.setName('Grace');
    await ada.waitForStatus('connected');
    await grace.waitForStatus('connected');

    await ada.joinRoom(room);
    await grace.joinRoom(room);
    expect(await ada.roomTab(room).getAttribute('aria-selected')).toBe('true');
    await ada.page
      .locator(`${byTestId('room-tab')}[data-room="${room}"] ${byTestId('room-count')}`, { hasText: '2' })
      .waitFor();

    const inRoom = `only in ${room}`;
    await ada.sendChat(inRoom);
    expect(await ada.waitForChatIn(room, inRoom)).toEqual({ own: 'true' });
    expect(await grace.waitForChatIn(room, inRoom)).toEqual({ own: 'false' });
    expect(await grace.roomPanel('lobby').locator(byTestId('chat-message'), { hasText: inRoom }).count()).toBe(0);

    // A message in the room not shown marks its tab; switching shows it there, and only there.
    await grace.selectRoom('lobby');
    const inLobby = `lobby while ${room}`;
    await grace.sendChat(inLobby);
    await grace.waitForChatIn('lobby', inLobby);
    await ada.page.locator(`${byTestId('room-tab')}[data-room="lobby"][data-unread="true"]`).waitFor();
    expect(await ada.roomPanel(room).locator(byTestId('chat-message'), { hasText: inLobby }).count()).toBe(0);
    await ada.selectRoom('lobby');
    expect(await ada.waitForChatIn('lobby', inLobby)).toEqual({ own: 'false' });
    expect(await ada.roomPanel(room).isHidden()).toBe(true);

    // Leaving: the tab goes, the page is back in the lobby, and the room tells the other page.
    await ada.selectRoom(room);
    await ada.locator('room-leave').click();
    await ada.roomTab(room).waitFor({ state: 'detached' });
    expect(await ada.roomTab('lobby').getAttribute('aria-selected')).toBe('true');
    await grace.selectRoom(room);
    await grace
      .roomPanel(room)
      .locator(byTestId('presence-line'), { hasText: /Ada #[0-9a-z]{8} left/ })
      .waitFor();
    await grace.page
      .locator(`${byTestId('room-tab')}[data-room="${room}"] ${byTestId('room-count')}`, { hasText: '1' })
      .waitFor();
  });

  it('shows presence in the room it happened in, one line per user, with the room’s count', async () => {
    const room = roomName('presence');
    const ada = await open();
    await ada.setName('Ada');
    await ada.waitForStatus('connected');
    await ada.joinRoom(room);
    await ada.roomPanel(room).locator(byTestId('who-user'), { hasText: 'Ada' }).waitFor();

    const grace = await open();
    await grace.setName('Grace');
    await grace.waitForStatus('connected');
    await grace.joinRoom(room);

    const panel = ada.roomPanel(room);
    await panel.locator(byTestId('presence-line'), { hasText: /Grace #[0-9a-z]{8} joined/ }).waitFor();
    await panel.locator(byTestId('who-user'), { hasText: 'Grace' }).waitFor();
    expect(await panel.locator(byTestId('who-count')).textContent()).toBe('2');
    expect(await panel.locator(byTestId('presence-line'), { hasText: 'Grace' }).count()).toBe(1);

    await grace.close();
    await panel.locator(byTestId('presence-line'), { hasText: /Grace #[0-9a-z]{8} left/ }).waitFor();
    await eventually(async () => (await panel.locator(byTestId('who-user')).count()) === 1, 10_000, 'Grace gone');
    expect(await panel.locator(byTestId('who-count')).textContent()).toBe('1');
  });

  it('joins its rooms again after the server drops the connection', async () => {
    const room = roomName('rejoin');
    const ada = await open();
    const bob = await open();
    await ada.waitForStatus('connected');
    await bob.waitForStatus('connected');
    await ada.joinRoom(room);
    await bob.joinRoom(room);

    await ada.dropFromServer(stack.wsUrl);
    await ada.page.locator(`${byTestId('room-tab')}[data-room="${room}"][data-status="joined"]`).waitFor();
    await ada.waitForStatus('connected');
    const text = `after the drop ${Date.now()}`;
    await bob.sendChat(text);
    expect(await ada.waitForChatIn(room, text)).toEqual({ own: 'false' });
  });

  it('says in plain words when joining one room past the cap per connection, and drops its tab', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const prefix = roomName('cap');
    for (let n = 1; n <= 10; n++) await app.joinRoom(`${prefix}.${n}`);
    await app.locator('room-input').fill(`${prefix}.11`);
    await app.locator('room-input').press('Enter');
    await errorNotice(app, 'as many rooms as one connection may').waitFor();
    await app.roomTab(`${prefix}.11`).waitFor({ state: 'detached' });
    expect(await app.page.locator(byTestId('room-tab')).count()).toBe(11);
    expect(await app.roomTab('lobby').getAttribute('aria-selected')).toBe('true');
  });

  it('refuses a bad room name in the page, in plain words, and sends nothing', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const sent: string[] = [];
    app.page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => sent.push(String(payload))));
    await app.locator('room-input').fill('no spaces here');
    await app.locator('room-join').click();
    await errorNotice(app, 'A room name is 1 to 128 characters').waitFor();
    expect(sent.filter((frame) => frame.includes('"join"'))).toEqual([]);
    expect(await app.page.locator(byTestId('room-tab')).count()).toBe(1);
  });

  it('shows the count alone for a room above the roster threshold', async () => {
    const app = await open('?autoconnect=0');
    // A room that large cannot be made here: the server's counts-only frame is played into the page.
    await app.page.routeWebSocket(/.*/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        ws.send(message);
        const frame = JSON.parse(String(message)) as { type?: string; room?: string; cursor?: string };
        if (frame.type === 'who' && frame.room === 'lobby' && frame.cursor === undefined)
          ws.send(JSON.stringify({ type: 'presence', room: 'lobby', tick: Number.MAX_SAFE_INTEGER, count: 1500 }));
      });
    });
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    const panel = app.roomPanel('lobby');
    await panel.locator(byTestId('who-count'), { hasText: '1500' }).waitFor();
    expect(await panel.locator(byTestId('who-counts-only')).isVisible()).toBe(true);
    expect(await panel.locator(byTestId('who-user')).count()).toBe(0);
    expect(await app.roomTab('lobby').locator(byTestId('room-count')).textContent()).toBe('1500');
  });
});

describe('tele-read', () => {
  it('moves the progress bar with the cursor while reading', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    await app.locator('teleread').click();
    const samples: Array<{ value: number; max: number; cursor: number; text: string; finished: boolean }> = [];
    await eventually(
      async () => {
        const sample = await app.page.evaluate(() => {
          const progress = document.querySelector<HTMLProgressElement>('[data-testid="feed-progress"]')!;
          const feed = document.querySelector<HTMLElement>('[data-testid="feed-text"]')!;
          return {
            value: progress.value,
            max: progress.max,
            cursor: Number(feed.dataset.cursor),
            text: document.querySelector('[data-testid="feed-progress-text"]')?.textContent ?? '',
            finished: feed.dataset.finished === 'true',
          };
        });
        samples.push(sample);
        return sample.finished;
      },
      50_000,
      'the end of the article',
    );
    const total = WEBSOCKET_ARTICLE.text.length;
    for (const sample of samples.filter((s) => s.cursor > 0)) {
      expect(sample.max).toBe(total);
      expect(sample.value).toBe(sample.cursor);
      expect(sample.text).toBe(`${sample.cursor} / ${total}`);
    }
    const midway = new Set(samples.filter((s) => s.value > 0 && s.value < s.max).map((s) => s.value));
    expect(midway.size).toBeGreaterThanOrEqual(2);
    expect([...midway]).toEqual([...midway].sort((a, b) => a - b));
    expect(samples.at(-1)?.value).toBe(total);
  }, 60_000);

  it('clears the text shown without moving the cursor, and goes on from there', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    await app.locator('teleread').click();
    await eventually(async () => (await app.feedCursor()) >= 200, 20_000, 'the first 200 characters');
    await app.locator('stop').click();
    await app.page.locator(byTestId('feed-status'), { hasText: 'Stopped' }).waitFor();
    // Chunks already on their way when Stop was pressed still arrive: wait until the text stands still.
    let cursor = -1;
    await eventually(
      async () => {
        const previous = cursor;
        cursor = await app.feedCursor();
        return previous === cursor;
      },
      10_000,
      'the stream to stop',
    );
    expect(await app.feedText()).toBe(WEBSOCKET_ARTICLE.text.slice(0, cursor));

    await app.locator('clear-feed').click();
    expect(await app.feedText()).toBe('');
    expect(await app.feedCursor()).toBe(cursor);
    expect(await app.locator('feed-progress-text').textContent()).toBe(`${cursor} / ${WEBSOCKET_ARTICLE.text.length}`);

    await app.locator('teleread').click();
    await app.page.locator(`${byTestId('feed-text')}[data-finished="true"]`).waitFor({ timeout: 50_000 });
    expect(await app.feedText()).toBe(WEBSOCKET_ARTICLE.text.slice(cursor));
  }, 60_000);

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
    expect(await app.locator('feed-progress-text').textContent()).toBe(
      `${WEBSOCKET_ARTICLE.text.length} / ${WEBSOCKET_ARTICLE.text.length}`,
    );
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

  it('shows a topic in seq order and each message once, however its deliveries arrive', async () => {
    const app = await open('?autoconnect=0');
    let toPage: ((message: string) => void) | undefined;
    await app.page.routeWebSocket(/.*/, (ws) => {
      ws.connectToServer();
      toPage = (message) => ws.send(message);
    });
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    const topic = `e2e.order.${Date.now()}`;
    await app.subscribe(topic);
    const deliver = (seq: number) =>
      toPage?.(
        JSON.stringify({
          type: 'message',
          topic,
          message: `m${seq}`,
          seq,
          from: null,
          sentAt: new Date().toISOString(),
        }),
      );

    // As parallel fan-out workers may deliver them: out of order, and one of them twice (a job run again).
    deliver(3);
    deliver(1);
    deliver(3);
    deliver(2);
    await eventually(async () => (await app.topicSeqs(topic)).length >= 3, 10_000, 'three messages');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await app.topicSeqs(topic)).toEqual([1, 2, 3]);
  });

  it('stops showing a topic once unsubscribed from the page', async () => {
    const app = await open();
    await app.waitForStatus('connected');
    const topic = `e2e.unsub.${Date.now()}`;
    const witness = `${topic}.witness`;
    await app.subscribe(topic);
    await app.subscribe(witness);
    await publishOverHttp(topic, 'before');
    await eventually(async () => (await app.topicSeqs(topic)).length === 1, 10_000, 'the first message');

    await app.page.locator(`${byTestId('subscription')}[data-topic="${topic}"] ${byTestId('unsubscribe')}`).click();
    await app.page.locator(`${byTestId('subscription')}[data-topic="${topic}"]`).waitFor({ state: 'detached' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the unsubscribe reaches the server
    await publishOverHttp(topic, 'after');
    await publishOverHttp(witness, 'still subscribed here');
    await eventually(async () => (await app.topicSeqs(witness)).length === 1, 10_000, 'the witness message');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await app.topicSeqs(topic)).toEqual([1]);
  });

  it("shows API Gateway's own error frame in plain words and settles the publish", async () => {
    const app = await open('?autoconnect=0');
    // The gateway answers a failed integration with {"message":"Internal server error",...} and no type.
    await app.page.routeWebSocket(/.*/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { action?: string };
        if (frame.action === 'publish' || frame.action === 'sendmessage') {
          ws.send(JSON.stringify({ message: 'Internal server error', connectionId: 'c', requestId: 'r' }));
        } else {
          server.send(message);
        }
      });
    });
    await app.locator('connect').click();
    await app.waitForStatus('connected');
    await app.locator('publish-topic').fill('e2e.gateway');
    await app.locator('publish-message').fill('hello');
    await app.locator('publish').click();
    await errorNotice(app, 'The server failed to handle a request').first().waitFor();
    await app.page.locator(byTestId('publish-status'), { hasText: 'Not published to e2e.gateway' }).waitFor();

    await app.sendChat('will fail once');
    const failed = app.page.locator(`${byTestId('chat-outbox')} ${byTestId('chat-message')}[data-state="failed"]`, {
      hasText: 'will fail once',
    });
    await failed.waitFor();
    expect(await failed.textContent()).toContain('not delivered');
    expect(await app.status()).toBe('connected');
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

describe('phone width', () => {
  it('has no horizontal overflow at 390 px, even with long unbroken text', async () => {
    const app = await open('', { viewport: PHONE });
    await app.waitForStatus('connected');
    const topic = `e2e.phone.${'x'.repeat(100)}`;
    await app.subscribe(topic);
    await publishOverHttp(topic, { long: 'y'.repeat(300) });
    await eventually(async () => (await app.topicSeqs(topic)).length === 1, 10_000, 'the message');
    await app.sendChat('z'.repeat(300));
    await app.waitForChat('zzzz');
    const layout = await app.page.evaluate(() => ({
      viewport: document.documentElement.clientWidth,
      document: document.documentElement.scrollWidth,
      // Also inside boxes that scroll (the logs): nothing should need a sideways scroll there either.
      sticking: Array.from(document.querySelectorAll<HTMLElement>('body *'))
        .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((element) => `${element.tagName.toLowerCase()}.${element.className} ${element.dataset.testid ?? ''}`),
    }));
    expect(layout.viewport).toBe(PHONE.width);
    expect(layout.document).toBeLessThanOrEqual(layout.viewport);
    expect(layout.sticking).toEqual([]);
  });
});
