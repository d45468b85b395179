import {
  checkChatText,
  checkDisplayName,
  DEFAULT_ROOM,
  isValidRoomName,
  LIMITS,
  type RoomInfo,
  type SwitchboardClient,
  SwitchboardClientError,
} from '@switchboard/client';
import { card, field, h } from './dom';
import { cssSafe, RoomView } from './room-view';
import { settings } from './settings';
import { userName } from './user-name';

const MAX_CHARS = LIMITS.chatChars;
const ROOM_PATTERN = '[A-Za-z0-9_\\-.:/]{1,128}';

/**
 * Display name, the rooms as tabs (join, switch, leave), and per room its history, messages (own on the
 * right), presence lines and who is here (or the count alone in a large room); one composer, which writes to
 * the room shown. The default room is the first tab and the one shown on load.
 */
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

  const roomInput = h('input', {
    type: 'text',
    pattern: ROOM_PATTERN,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    'data-testid': 'room-input',
    placeholder: 'e.g. design',
  });
  const joinForm = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Join a room' },
    field('Join a room', roomInput),
    h('button', { type: 'submit', 'data-testid': 'room-join' }, 'Join'),
  );
  const tabs = h('div', {
    role: 'tablist',
    class: 'room-tabs',
    'aria-label': 'Chat rooms',
    'data-testid': 'room-tabs',
  });
  const leaveButton = h(
    'button',
    { type: 'button', class: 'link', 'data-testid': 'room-leave', hidden: true },
    'Leave',
  );
  const panels = h('div', { class: 'room-panels' });

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

  body.append(nameForm, me, joinForm, h('div', { class: 'room-bar' }, tabs, leaveButton), panels, composer);
  root.append(panel);

  const views = new Map<string, RoomView>();
  const tabOf = new Map<string, HTMLButtonElement>();
  const unread = new Set<string>();
  let selected = DEFAULT_ROOM;

  const select = (room: string, focus = false) => {
    if (!views.has(room)) return;
    selected = room;
    for (const [name, view] of views) view.panel.hidden = name !== room;
    for (const [name, tab] of tabOf) {
      const active = name === room;
      tab.setAttribute('aria-selected', String(active));
      tab.tabIndex = active ? 0 : -1;
      if (active) {
        unread.delete(name);
        delete tab.dataset.unread;
      }
    }
    leaveButton.hidden = room === DEFAULT_ROOM;
    leaveButton.textContent = `Leave ${room}`;
    leaveButton.setAttribute('aria-label', `Leave the room ${room}`);
    input.placeholder = `Write to ${room}…`;
    panel.dataset.room = room;
    if (focus) tabOf.get(room)?.focus();
  };

  const renderTabs = (rooms: RoomInfo[]) => {
    for (const info of rooms) {
      if (views.has(info.room)) continue;
      const tabId = `room-tab-${cssSafe(info.room)}`;
      const view = new RoomView(info.room, client, tabId);
      view.panel.hidden = true;
      views.set(info.room, view);
      panels.append(view.panel);
      view.renderOutbox(client.outbox.list(), (id) => client.retryChat(id));
    }
    for (const [room, view] of views) {
      if (rooms.some((info) => info.room === room)) continue;
      view.panel.remove();
      views.delete(room);
    }
    const hadFocus = tabs.contains(document.activeElement);
    tabOf.clear();
    tabs.replaceChildren(
      ...rooms.map((info) => {
        const count = h('span', { class: 'badge', 'data-testid': 'room-count' }, countText(info));
        const tab = h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: 'room-tab',
            id: `room-tab-${cssSafe(info.room)}`,
            'aria-controls': `room-panel-${cssSafe(info.room)}`,
            'data-testid': 'room-tab',
            'data-room': info.room,
            'data-status': info.status,
            'data-unread': unread.has(info.room) ? 'true' : undefined,
          },
          h('span', { class: 'room-name' }, info.room),
          ' ',
          count,
        );
        tab.addEventListener('click', () => select(info.room));
        tabOf.set(info.room, tab);
        return tab;
      }),
    );
    select(views.has(selected) ? selected : DEFAULT_ROOM, hadFocus);
  };

  // Arrow keys move between tabs, as in any tab list; Home and End go to the first and last.
  tabs.addEventListener('keydown', (event) => {
    const names = [...tabOf.keys()];
    const at = names.indexOf(selected);
    const next =
      event.key === 'ArrowRight'
        ? names[(at + 1) % names.length]
        : event.key === 'ArrowLeft'
          ? names[(at - 1 + names.length) % names.length]
          : event.key === 'Home'
            ? names[0]
            : event.key === 'End'
              ? names[names.length - 1]
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    select(next, true);
  });

  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const room = roomInput.value.trim();
    if (!isValidRoomName(room)) {
      roomInput.setAttribute('aria-invalid', 'true');
      notify('A room name is 1 to 128 characters of letters, digits and _ - . : /');
      roomInput.focus();
      return;
    }
    roomInput.removeAttribute('aria-invalid');
    try {
      client.joinRoom(room);
    } catch (error) {
      if (!(error instanceof SwitchboardClientError)) throw error;
      notify(error.message);
      return;
    }
    roomInput.value = '';
    select(room);
  });
  leaveButton.addEventListener('click', () => {
    if (selected === DEFAULT_ROOM) return;
    client.leaveRoom(selected);
    select(DEFAULT_ROOM, true);
  });

  const send = () => {
    const check = checkChatText(input.value);
    if (!check.ok) {
      if (check.problem) notify(check.problem);
      return;
    }
    try {
      client.sendChat(check.text, { room: selected });
    } catch (error) {
      if (!(error instanceof SwitchboardClientError)) throw error;
      notify(error.message);
      return;
    }
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

  /** A message in a room not shown marks its tab until the room is shown. */
  const markUnread = (room: string) => {
    const tab = tabOf.get(room);
    if (!tab || room === selected) return;
    unread.add(room);
    tab.dataset.unread = 'true';
  };

  client.on('rooms', renderTabs);
  client.on('chat', ({ frame, own }) => {
    views.get(frame.room)?.showChat(frame, own);
    markUnread(frame.room);
  });
  client.on('history', (frame) => {
    const view = views.get(frame.room);
    for (const message of frame.messages) view?.showChat(message, message.from.userId === client.session?.userId);
  });
  client.on('outbox', (entries) => {
    for (const view of views.values()) view.renderOutbox(entries, (id) => client.retryChat(id));
  });
  client.on('presence', (frame) => views.get(frame.room)?.showPresence(frame));
  client.on('roster', (info) => {
    views.get(info.room)?.showRoster(info);
    const count = tabOf.get(info.room)?.querySelector('[data-testid="room-count"]');
    if (count) count.textContent = countText(info);
  });
  client.on('who', (frame) => {
    if (frame.room !== DEFAULT_ROOM) return;
    const mine = frame.users.find((user) => user.userId === client.session?.userId);
    me.replaceChildren(...(mine ? ['You appear as ', userName(mine), '.'] : []));
  });

  renderTabs(client.rooms);
}

function countText(info: RoomInfo): string {
  return info.count === undefined ? '…' : String(info.count);
}
