import {
  type ConnectionStatus,
  isWebSocketUrl,
  type StatusChange,
  type SwitchboardClient,
  SwitchboardClientError,
} from '@switchboard/client';
import { field, formatDuration, formatTime, h } from './dom';
import { settings } from './settings';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  error: 'Cannot connect',
};

/** URL, Connect / Disconnect, status light, connected-at, session timer and the auto-disconnect option. */
export function mountConnectionBar(
  root: HTMLElement,
  client: SwitchboardClient,
  initialUrl: string,
): { connect(): void } {
  const urlInput = h('input', {
    type: 'text',
    inputmode: 'url',
    autocomplete: 'url',
    spellcheck: 'false',
    required: true,
    'data-testid': 'ws-url',
    placeholder: 'wss://…/prod',
  });
  urlInput.value = initialUrl;
  const autoInput = h('input', {
    type: 'number',
    min: 0,
    step: 1,
    inputmode: 'numeric',
    'data-testid': 'auto-disconnect',
    placeholder: 'off',
  });
  const autoSeconds = settings.autoDisconnectSeconds();
  if (autoSeconds > 0) autoInput.value = String(autoSeconds);

  const connectButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'connect' }, 'Connect');
  const disconnectButton = h('button', { type: 'button', 'data-testid': 'disconnect' }, 'Disconnect');
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
  const statusText = h('span', { class: 'status-text' }, LABELS.disconnected);
  const status = h(
    'div',
    { class: 'status', 'data-testid': 'status', 'data-status': 'disconnected', role: 'status', 'aria-live': 'polite' },
    dot,
    statusText,
  );
  const detail = h('span', { class: 'status-detail muted', 'data-testid': 'status-detail' });
  const connectedAt = h('time', { 'data-testid': 'connected-at' }, '—');
  const timer = h('span', { class: 'timer', 'data-testid': 'session-timer', 'aria-label': 'Time connected' }, '00:00');
  const connectionId = h('code', { 'data-testid': 'connection-id' }, '—');

  const form = h(
    'form',
    { class: 'connection-form', 'aria-label': 'Connection' },
    field('WebSocket URL', urlInput),
    field('Disconnect after (s)', autoInput),
    h('div', { class: 'buttons' }, connectButton, disconnectButton),
  );
  const facts = h(
    'dl',
    { class: 'facts' },
    h('div', {}, h('dt', {}, 'Connected at'), h('dd', {}, connectedAt)),
    h('div', {}, h('dt', {}, 'Session'), h('dd', {}, timer)),
    h('div', {}, h('dt', {}, 'Connection'), h('dd', {}, connectionId)),
  );
  const bar = h(
    'section',
    { class: 'card connection-bar', 'data-testid': 'connection-bar', 'aria-label': 'Connection' },
    h('div', { class: 'status-row' }, status, detail),
    form,
    facts,
  );
  root.append(bar);

  let since: number | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let countdown: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    timer.textContent = since === undefined ? '00:00' : formatDuration(Date.now() - since);
  };

  const connect = () => {
    const url = urlInput.value.trim();
    if (!isWebSocketUrl(url)) {
      urlInput.setAttribute('aria-invalid', 'true');
      detail.textContent = 'Enter a ws:// or wss:// URL.';
      urlInput.focus();
      return;
    }
    urlInput.removeAttribute('aria-invalid');
    settings.saveUrl(url);
    const seconds = Math.max(0, Math.floor(Number(autoInput.value) || 0));
    settings.saveAutoDisconnectSeconds(seconds);
    try {
      client.connect(url, { name: settings.name(), autoDisconnectMs: seconds * 1000 });
    } catch (error) {
      if (!(error instanceof SwitchboardClientError)) throw error;
      detail.textContent = error.message;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    connect();
  });
  disconnectButton.addEventListener('click', () => client.disconnect());

  client.on('status', (change: StatusChange) => {
    status.dataset.status = change.status;
    bar.dataset.status = change.status;
    statusText.textContent = LABELS[change.status];
    clearInterval(countdown);
    detail.textContent = describe(change);
    if (change.retryInMs !== undefined) {
      const at = Date.now() + change.retryInMs;
      countdown = setInterval(() => {
        detail.textContent = describe({ ...change, retryInMs: Math.max(0, at - Date.now()) });
      }, 1000);
    }
    disconnectButton.disabled = change.status === 'disconnected';
    connectButton.textContent = change.status === 'disconnected' || change.status === 'error' ? 'Connect' : 'Reconnect';
    if (change.status === 'connected') {
      since = Date.now();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    } else {
      clearInterval(ticker);
      since = undefined;
      if (change.status === 'disconnected' || change.status === 'error') connectedAt.textContent = '—';
    }
    tick();
  });
  client.on('session', ({ frame }) => {
    connectedAt.textContent = formatTime(frame.connectedAt);
    connectedAt.dateTime = frame.connectedAt;
    connectionId.textContent = frame.connectionId;
    bar.dataset.connectionId = frame.connectionId;
  });
  disconnectButton.disabled = true;

  return { connect };
}

function describe(change: StatusChange): string {
  const parts: string[] = [];
  if (change.detail) parts.push(change.detail);
  if (change.retryInMs !== undefined) parts.push(`Retrying in ${Math.ceil(change.retryInMs / 1000)} s.`);
  return parts.join(' ');
}
