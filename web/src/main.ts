import './styles.css';
import { resolveWsUrl, SwitchboardClient } from '@switchboard/client';
import { mountChatPanel } from './ui/chat-panel';
import { mountConnectionBar } from './ui/connection-bar';
import { describeError, describeGatewayError } from './ui/error-messages';
import { mountNotices } from './ui/notices';
import { mountSessionPanel } from './ui/session-panel';
import { localTokenStore, settings } from './ui/settings';
import { mountTopicsPanel } from './ui/topics-panel';

/** `config.json` beside the page names the default server; hosts without one get the local default. */
async function loadConfig(): Promise<{ wsUrl?: string }> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) return {};
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return {};
    const wsUrl = (body as { wsUrl?: unknown }).wsUrl;
    return typeof wsUrl === 'string' ? { wsUrl } : {};
  } catch {
    return {};
  }
}

/** Any HTTP answer at all means the server is up (a CORS-opaque one is enough). */
async function probe(httpUrl: string): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  try {
    await fetch(httpUrl, { mode: 'no-cors', cache: 'no-store', signal: controller.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const config = await loadConfig();
  const url = resolveWsUrl({ query: params.get('ws'), remembered: settings.url(), config: config.wsUrl });

  const client = new SwitchboardClient({ tokenStore: localTokenStore, probe });
  const notify = mountNotices(document.getElementById('notices') ?? document.body);
  const userId = document.querySelector<HTMLElement>('[data-testid="user-id"]');
  const panels = document.getElementById('panels') ?? document.body;

  const bar = mountConnectionBar(document.getElementById('connection') ?? document.body, client, url);
  mountSessionPanel(panels, client);
  mountTopicsPanel(panels, client, (text) => notify(text, 'error'));
  mountChatPanel(panels, client, (text) => notify(text, 'error'));

  client.on('error', (frame) => notify(describeError(frame), 'error'));
  client.on('gatewayError', (frame) => notify(describeGatewayError(frame.message), 'error'));
  client.on('notice', (text) => notify(text, 'info'));
  client.on('session', ({ frame }) => {
    if (userId) userId.textContent = frame.userId;
    document.body.dataset.userId = frame.userId;
    document.body.dataset.connectionId = frame.connectionId;
  });
  client.on('status', ({ status }) => {
    document.body.dataset.status = status;
  });

  // Exposed for tests and the curious (e.g. `switchboard.disconnect()` in the console).
  (globalThis as { switchboard?: SwitchboardClient }).switchboard = client;

  if (params.get('autoconnect') !== '0') bar.connect();
}

void main();
