import type { Browser, BrowserContext, Page } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const T = 15_000;

/** A frame as the log shows it: long ones (history pages) cut, the start says what they are. */
const clip = (text: string): string =>
  text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** One browser context (its own localStorage, so its own identity) with the app open. */
export class AppPage {
  /**
   * Uncaught errors in the page. A listener that throws would only crash the listener, so they are kept
   * here and the test file asserts there are none after each test.
   */
  readonly errors: string[] = [];
  /**
   * Every WebSocket frame the page sent and received, with its sockets' opening and closing, each line
   * stamped with the milliseconds since the page was opened: printed when a test fails, so that a failure
   * seen once (in CI) can be read from its log.
   */
  readonly frames: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(
    browser: Browser,
    url: string,
    options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
  ): Promise<AppPage> {
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      colorScheme: options.colorScheme ?? 'light',
    });
    context.setDefaultTimeout(T);
    const page = await context.newPage();
    const app = new AppPage(context, page);
    page.on('pageerror', (error) => app.errors.push(`${error.name}: ${error.message}`));
    app.recordFrames();
    await page.goto(url);
    return app;
  }

  private recordFrames(): void {
    const started = Date.now();
    let sockets = 0;
    const log = (socket: number, text: string) => this.frames.push(`${Date.now() - started} #${socket} ${text}`);
    this.page.on('websocket', (ws) => {
      const socket = ++sockets;
      log(socket, `open ${ws.url()}`);
      ws.on('framesent', ({ payload }) => log(socket, `> ${clip(String(payload))}`));
      ws.on('framereceived', ({ payload }) => log(socket, `< ${clip(String(payload))}`));
      ws.on('socketerror', (error) => log(socket, `error ${error}`));
      ws.on('close', () => log(socket, 'closed'));
    });
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  locator(testId: string) {
    return this.page.locator(byTestId(testId));
  }

  async status(): Promise<string | null> {
    return this.locator('status').getAttribute('data-status');
  }

  async waitForStatus(status: string): Promise<void> {
    await this.page.waitForFunction(
      (s) => document.querySelector('[data-testid="status"]')?.getAttribute('data-status') === s,
      status,
      { timeout: T },
    );
  }

  async connectionId(): Promise<string> {
    await this.waitForStatus('connected');
    return (await this.page.locator('body').getAttribute('data-connection-id')) ?? '';
  }

  async userId(): Promise<string> {
    await this.waitForStatus('connected');
    return (await this.page.locator('body').getAttribute('data-user-id')) ?? '';
  }

  async setName(name: string): Promise<void> {
    await this.locator('chat-name').fill(name);
    await this.locator('chat-name-apply').click();
  }

  async sendChat(text: string): Promise<void> {
    await this.locator('chat-input').fill(text);
    await this.locator('chat-input').press('Enter');
  }

  /** Waits for a delivered chat message with this text; returns whether it is shown as own. */
  async waitForChat(text: string): Promise<{ own: string | null; state: string | null }> {
    const row = this.page.locator(`${byTestId('chat-log')} ${byTestId('chat-message')}`, { hasText: text });
    await row.first().waitFor({ timeout: T });
    return { own: await row.first().getAttribute('data-own'), state: await row.first().getAttribute('data-state') };
  }

  /** A room's panel (its who list, messages and presence lines); shown only while its tab is selected. */
  roomPanel(room: string) {
    return this.page.locator(`${byTestId('room-panel')}[data-room="${room}"]`);
  }

  roomTab(room: string) {
    return this.page.locator(`${byTestId('room-tab')}[data-room="${room}"]`);
  }

  /** Joins a room from the form and waits until the server has confirmed it (the tab is then shown). */
  async joinRoom(room: string): Promise<void> {
    await this.locator('room-input').fill(room);
    await this.locator('room-input').press('Enter');
    await this.page.locator(`${byTestId('room-tab')}[data-room="${room}"][data-status="joined"]`).waitFor();
  }

  async selectRoom(room: string): Promise<void> {
    await this.roomTab(room).click();
    await this.roomPanel(room).waitFor();
  }

  /** Waits for a delivered chat message with this text in a room's panel (which must be the one shown). */
  async waitForChatIn(room: string, text: string): Promise<{ own: string | null }> {
    const row = this.roomPanel(room).locator(`${byTestId('chat-log')} ${byTestId('chat-message')}`, { hasText: text });
    await row.first().waitFor({ timeout: T });
    return { own: await row.first().getAttribute('data-own') };
  }

  async subscribe(topic: string): Promise<void> {
    await this.locator('topic-input').fill(topic);
    await this.locator('topic-input').press('Enter');
    await this.page
      .locator(`${byTestId('subscription')}[data-topic="${topic}"][data-confirmed="true"]`)
      .waitFor({ timeout: T });
  }

  async topicSeqs(topic: string): Promise<number[]> {
    return this.page.$$eval(`${byTestId('topic-message')}[data-topic="${topic}"]`, (rows) =>
      rows.map((row) => Number(row.getAttribute('data-seq'))),
    );
  }

  async feedCursor(): Promise<number> {
    return Number((await this.locator('feed-text').getAttribute('data-cursor')) ?? 0);
  }

  async feedText(): Promise<string> {
    return (await this.page.locator(`${byTestId('feed-text')} .feed-content`).textContent()) ?? '';
  }

  /** Drops the connection from the server side, as API Gateway's DeleteConnection does. */
  async dropFromServer(wsUrl: string): Promise<string> {
    const connectionId = await this.connectionId();
    const response = await fetch(`${wsUrl.replace(/^ws/, 'http')}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'DELETE',
    });
    if (response.status !== 204 && response.status !== 200)
      throw new Error(`DeleteConnection answered ${response.status}`);
    return connectionId;
  }
}

/** The frames of each page, for a failing test's log. */
export function framesReport(test: string, pages: AppPage[]): string {
  const each = pages.map((app, index) => [`page ${index + 1} (${app.page.url()})`, ...app.frames].join('\n'));
  return [`WebSocket frames of "${test}" (ms since the page opened, #socket):`, ...each].join('\n\n');
}

/** Polls until `check` is true (for state outside the page, or sums of page state). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = T, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
