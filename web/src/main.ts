import './styles.css';
import { resolveWsUrl, SwitchboardClient } from '@switchboard/client';
import { mountChatPanel } from './ui/chat-panel';
import { mountConnectionBar } from './ui/connection-bar';
import { describeError, describeGatewayError } from './ui/error-messages';
import { createLocalSignIn } from './ui/local-sign-in';
import { mountNotices } from './ui/notices';
import { mountSessionPanel } from './ui/session-panel';
import { localTokenStore, settings } from './ui/settings';
import { mountSignInPanel } from './ui/sign-in-panel';
import { mountTopicsPanel } from './ui/topics-panel';

interface PageConfig {
  wsUrl?: string;
  /** Set when the server wants JWTs and a local issuer mints them (`npm start -- --auth jwt`). */
  mintUrl?: string;
}

/** `config.json` beside the page names the default server and how to sign in; hosts without one get the local default. */
async function loadConfig(): Promise<PageConfig> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) return {};
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return {};
    const { wsUrl, auth } = body as { wsUrl?: unknown; auth?: { mode?: unknown; mintUrl?: unknown } };
    return {
      ...(typeof wsUrl === 'string' ? { wsUrl } : {}),
      ...(auth?.mode === 'jwt' && typeof auth.mintUrl === 'string' ? { mintUrl: auth.mintUrl } : {}),
    };
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

  const signIn = config.mintUrl === undefined ? undefined : createLocalSignIn(config.mintUrl);
  // Signed in, the identity is the token's; anonymous, it is the session token kept per server URL.
  const client = new SwitchboardClient(
    signIn ? { token: signIn.token, probe } : { tokenStore: localTokenStore, probe },
  );
  const notify = mountNotices(document.getElementById('notices') ?? document.body);
  const userId = document.querySelector<HTMLElement>('[data-testid="user-id"]');
  const panels = document.getElementById('panels') ?? document.body;

  const connection = document.getElementById('connection') ?? document.body;
  if (signIn)
    mountSignInPanel(connection, signIn, { signedIn: () => bar.connect(), signedOut: () => client.disconnect() });
  const bar = mountConnectionBar(connection, client, url);
  mountSessionPanel(panels, client, { canReset: signIn === undefined });
  mountTopicsPanel(panels, client, (text) => notify(text, 'error'));
  mountChatPanel(panels, client, (text) => notify(text, 'error'));

  client.on('error', (frame) => notify(describeError(frame), 'error'));
  client.on('gatewayError', (frame) => notify(describeGatewayError(frame.message), 'error'));
  client.on('notice', (text) => notify(text, 'info'));
  client.on('tokenError', ({ error }) => {
    // Connect pressed while signed out: nothing to retry until someone signs in.
    if (signIn && !signIn.current()) {
      client.disconnect();
      return notify('Sign in first: this server wants a sign-in token.', 'info');
    }
    notify(`Could not sign in: ${error instanceof Error ? error.message : String(error)}.`, 'error');
  });
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

  if (params.get('autoconnect') !== '0' && (!signIn || signIn.current())) bar.connect();
}

void main();
