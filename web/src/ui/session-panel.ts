import type { SwitchboardClient } from '@switchboard/client';
import { card, h } from './dom';

/** The identity (Reset) and the tele-read: Tele-read / Stop / Clear, the text with a cursor, progress. */
export function mountSessionPanel(
  root: HTMLElement,
  client: SwitchboardClient,
  options: { canReset?: boolean } = {},
): void {
  const { card: panel, body } = card('Session and tele-read', 'session-panel');
  const userId = h('code', { 'data-testid': 'session-user-id' }, '—');
  const resumed = h('span', { class: 'badge', 'data-testid': 'session-resumed', hidden: true }, 'resumed');
  const resetButton = h(
    'button',
    // A signed-in user's identity is the sign-in's: the server refuses `reset` for them.
    { type: 'button', class: 'danger', 'data-testid': 'reset-identity', hidden: options.canReset === false },
    'Reset identity',
  );
  const readButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'teleread' }, 'Tele-read');
  const stopButton = h('button', { type: 'button', 'data-testid': 'stop' }, 'Stop');
  const clearButton = h('button', { type: 'button', 'data-testid': 'clear-feed' }, 'Clear');

  const text = document.createTextNode('');
  const content = h('span', { class: 'feed-content' });
  content.append(text);
  const caret = h('span', { class: 'caret', 'aria-hidden': 'true' });
  const feed = h(
    'div',
    { class: 'feed', 'data-testid': 'feed-text', tabindex: 0, 'aria-label': 'Tele-read text', 'data-reading': 'false' },
    content,
    caret,
  );
  const progress = h('progress', {
    'data-testid': 'feed-progress',
    max: 1,
    value: 0,
    'aria-label': 'Reading progress',
  });
  const progressText = h('span', { class: 'muted', 'data-testid': 'feed-progress-text' }, '0 / 0');
  const feedStatus = h(
    'p',
    { class: 'muted feed-status', 'data-testid': 'feed-status', 'aria-live': 'polite' },
    'Not reading.',
  );

  body.append(
    h('div', { class: 'identity' }, h('span', { class: 'muted' }, 'User'), userId, resumed, resetButton),
    h('div', { class: 'buttons' }, readButton, stopButton, clearButton),
    h('div', { class: 'progress-row' }, progress, progressText),
    feed,
    feedStatus,
  );
  root.append(panel);

  const showProgress = (cursor: number, total: number) => {
    progress.max = Math.max(1, total);
    progress.value = Math.min(cursor, progress.max);
    progressText.textContent = `${cursor} / ${total}`;
    feed.dataset.cursor = String(cursor);
    feed.dataset.empty = String((content.textContent ?? '') === '');
  };
  const setReading = (reading: boolean) => {
    feed.dataset.reading = String(reading);
    readButton.disabled = reading;
    stopButton.disabled = !reading;
    if (reading) delete feed.dataset.finished;
    if (reading)
      feedStatus.textContent = client.status === 'connected' ? 'Reading…' : 'Will resume reading on reconnect.';
  };
  const restart = () => {
    text.data = '';
    content.replaceChildren(text);
    feed.dataset.start = String(client.feed.start);
  };

  resetButton.addEventListener('click', () => {
    client.resetIdentity();
    restart();
    showProgress(0, client.feed.total);
  });
  readButton.addEventListener('click', () => client.teleread());
  stopButton.addEventListener('click', () => client.stopReading());
  clearButton.addEventListener('click', () => {
    client.feed.clear();
    restart();
    showProgress(client.feed.cursor, client.feed.total);
  });

  client.on('session', ({ frame, newIdentity }) => {
    userId.textContent = frame.userId;
    resumed.hidden = !frame.resumed;
    if (newIdentity) restart();
    showProgress(client.feed.cursor, frame.total);
  });
  client.on('feed', ({ update, buffer }) => {
    if (update.missing > 0) {
      content.append(h('span', { class: 'gap', 'data-testid': 'feed-gap' }, ` [${update.missing} characters missed] `));
      const next = document.createTextNode('');
      content.append(next);
      next.appendData(update.appended);
    } else if (update.appended) {
      const last = content.lastChild;
      if (last instanceof Text) last.appendData(update.appended);
      else content.append(update.appended);
    }
    showProgress(buffer.cursor, buffer.total);
    feed.scrollTop = feed.scrollHeight;
  });
  client.on('reading', (reading) => {
    setReading(reading);
    if (!reading && feedStatus.textContent !== 'Finished.') feedStatus.textContent = 'Stopped.';
  });
  client.on('feedEnd', (buffer) => {
    showProgress(buffer.cursor, buffer.total);
    feedStatus.textContent = 'Finished.';
    feed.dataset.finished = 'true';
  });
  client.on('status', ({ status }) => {
    if (client.reading && status !== 'connected')
      feedStatus.textContent = 'Connection lost; reading resumes on reconnect.';
    if (client.reading && status === 'connected') feedStatus.textContent = 'Reading…';
  });
  setReading(false);
  showProgress(0, 0);
}
