import {
  type ChatFrame,
  checkChatText,
  checkDisplayName,
  LIMITS,
  type OutgoingChat,
  type SwitchboardClient,
} from '@switchboard/client';
import { card, field, formatTime, h, stickToBottom } from './dom';
import { settings } from './settings';
import { userName } from './user-name';

const MAX_CHARS = LIMITS.chatChars;

const OUTBOX_LABELS: Record<OutgoingChat['state'], string> = {
  queued: 'queued, sends when connected',
  sent: 'sending…',
  failed: 'not delivered: the server failed',
};
const OUTBOX_STATES: Record<OutgoingChat['state'], string> = { queued: 'queued', sent: 'pending', failed: 'failed' };

/** Display name, history, messages (own on the right), presence lines, who is here, and a composer. */
export function mountChatPanel(root: HTMLElement, client: SwitchboardClient, notify: (text: string) => void): void {
  const { card: panel, body } = card('Chat', 'chat-panel');

  const nameInput = h('input', {
    type: 'text',
    maxlength: 40,
    autocomplete: 'nickname',
    'data-testid': 'chat-name',
    placeholder: 'a generated name',
  });
  nameInput.value = settings.name();
  const nameForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Display name' },
    field('Display name', nameInput),
    h('button', { type: 'submit', 'data-testid': 'chat-name-apply' }, 'Set name'),
  );
  const me = h('p', { class: 'muted', 'data-testid': 'chat-me' });

  const whoList = h('ul', { class: 'who', 'data-testid': 'who-list', 'aria-label': 'Who is here' });
  const whoCount = h('span', { class: 'badge', 'data-testid': 'who-count' }, '0');

  const log = h('ol', {
    class: 'log chat-log',
    'data-testid': 'chat-log',
    'aria-live': 'polite',
    'aria-label': 'Chat messages',
  });
  const outboxList = h('ol', {
    class: 'log chat-log',
    'data-testid': 'chat-outbox',
    'aria-label': 'Messages not yet delivered',
  });
  const logBox = h('div', { class: 'log-box chat-box', tabindex: 0, 'aria-label': 'Chat' }, log, outboxList);

  const input = h('textarea', {
    rows: 1,
    maxlength: MAX_CHARS,
    'data-testid': 'chat-input',
    placeholder: 'Write a message…',
  });
  const composer = h(
    'form',
    { class: 'composer', 'aria-label': 'Send a chat message' },
    field('Message', input),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'chat-send' }, 'Send'),
  );

  body.append(
    nameForm,
    me,
    h('details', { class: 'who-box', open: true }, h('summary', {}, 'Here now ', whoCount), whoList),
    logBox,
    composer,
  );
  root.append(panel);

  const rows = new Map<string, HTMLElement>();
  let lastSeq = 0;

  /** Inserts a row at its place by sort key (chat seq; a presence line sorts just after the last chat). */
  const place = (row: HTMLElement, key: number) => {
    row.dataset.sort = String(key);
    const after = [...log.children].find((child) => Number((child as HTMLElement).dataset.sort) > key);
    stickToBottom(logBox, () => log.insertBefore(row, after ?? null));
  };

  const showChat = (frame: ChatFrame, own: boolean) => {
    if (rows.has(frame.id)) return;
    const row = h(
      'li',
      {
        class: `bubble ${own ? 'own' : 'other'}`,
        'data-testid': 'chat-message',
        'data-id': frame.id,
        'data-seq': frame.seq,
        'data-own': String(own),
        'data-state': 'delivered',
      },
      h(
        'div',
        { class: 'meta' },
        h('strong', {}, userName(frame.from, own ? ' (you)' : '')),
        h('time', { datetime: frame.sentAt }, formatTime(frame.sentAt)),
      ),
      h('p', { class: 'text' }, frame.message),
    );
    rows.set(frame.id, row);
    lastSeq = Math.max(lastSeq, frame.seq);
    place(row, frame.seq);
  };

  const retryButton = (id: string) => {
    const button = h('button', { type: 'button', class: 'link', 'data-testid': 'chat-retry' }, 'Retry');
    button.addEventListener('click', () => client.retryChat(id));
    return button;
  };

  const renderOutbox = (entries: OutgoingChat[]) => {
    outboxList.replaceChildren(
      ...entries.map((entry) =>
        h(
          'li',
          {
            class: 'bubble own pending',
            'data-testid': 'chat-message',
            'data-id': entry.id,
            'data-own': 'true',
            'data-state': OUTBOX_STATES[entry.state],
          },
          h(
            'div',
            { class: 'meta' },
            h('strong', {}, 'You'),
            h('span', {}, OUTBOX_LABELS[entry.state]),
            entry.state === 'failed' ? retryButton(entry.id) : null,
          ),
          h('p', { class: 'text' }, entry.text),
        ),
      ),
    );
    logBox.scrollTop = logBox.scrollHeight;
  };

  const send = () => {
    const check = checkChatText(input.value);
    if (!check.ok) {
      if (check.problem) notify(check.problem);
      return;
    }
    client.sendChat(check.text);
    input.value = '';
    input.focus();
  };
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const check = checkDisplayName(nameInput.value);
    if (!check.ok) {
      nameInput.setAttribute('aria-invalid', 'true');
      notify(check.problem);
      nameInput.focus();
      return;
    }
    nameInput.removeAttribute('aria-invalid');
    settings.saveName(check.name ?? '');
    client.setName(check.name ?? '');
  });
  client.on('nameRefused', (name) => {
    settings.saveName('');
    nameInput.setAttribute('aria-invalid', 'true');
    notify(`The server refused the display name “${name}”, so you kept your previous name. Choose another one.`);
  });

  client.on('chat', ({ frame, own }) => showChat(frame, own));
  client.on('history', (frame) => {
    for (const message of frame.messages) showChat(message, message.from.userId === client.session?.userId);
  });
  client.on('outbox', renderOutbox);
  client.on('presence', (frame) => {
    // One line per user who arrived or left over the interval the frame covers.
    const changes = [
      ...(frame.joined ?? []).map((user) => ({ user, event: 'join' })),
      ...(frame.left ?? []).map((user) => ({ user, event: 'leave' })),
    ];
    for (const { user, event } of changes) {
      const verb = event === 'join' ? 'joined' : 'left';
      const row = h(
        'li',
        { class: 'presence', 'data-testid': 'presence-line', 'data-event': event },
        userName(user),
        ` ${verb}`,
      );
      place(row, lastSeq + 0.5);
    }
  });
  client.on('who', (frame) => {
    whoCount.textContent = String(frame.users.length);
    whoList.replaceChildren(
      ...frame.users.map((user) => {
        const self = user.userId === client.session?.userId;
        return h(
          'li',
          { 'data-testid': 'who-user', 'data-user-id': user.userId, class: self ? 'self' : undefined },
          h('span', { class: 'dot online', 'aria-hidden': 'true' }),
          userName(user, self ? ' (you)' : ''),
          user.connections > 1 ? h('span', { class: 'muted' }, ` ×${user.connections}`) : null,
        );
      }),
    );
    const mine = frame.users.find((user) => user.userId === client.session?.userId);
    me.replaceChildren(...(mine ? ['You appear as ', userName(mine), '.'] : []));
  });
}
