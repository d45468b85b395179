import type { ChatFrame, OutgoingChat, PresenceFrame, RoomInfo, SwitchboardClient } from '@switchboard/client';
import { formatTime, h, stickToBottom } from './dom';
import { userName } from './user-name';

const OUTBOX_LABELS: Record<OutgoingChat['state'], string> = {
  queued: 'queued, sends when connected',
  sent: 'sending…',
  failed: 'not delivered: the server failed',
};
const OUTBOX_STATES: Record<OutgoingChat['state'], string> = { queued: 'queued', sent: 'pending', failed: 'failed' };

/** One chat room as a tab panel: who is here (or the count alone), the messages and presence lines, the outbox. */
export class RoomView {
  readonly panel: HTMLElement;
  private readonly whoList: HTMLUListElement;
  private readonly whoCount: HTMLElement;
  private readonly countsOnly: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly outboxList: HTMLOListElement;
  private readonly logBox: HTMLElement;
  private readonly rows = new Map<string, HTMLElement>();
  private lastSeq = 0;

  constructor(
    readonly room: string,
    private readonly client: SwitchboardClient,
    labelledBy: string,
  ) {
    this.whoList = h('ul', { class: 'who', 'data-testid': 'who-list', 'aria-label': `Who is in ${room}` });
    this.whoCount = h('span', { class: 'badge', 'data-testid': 'who-count' }, '0');
    this.countsOnly = h(
      'p',
      { class: 'muted empty', 'data-testid': 'who-counts-only', hidden: true },
      'A large room: only the number of people in it is shown.',
    );
    this.log = h('ol', {
      class: 'log chat-log',
      'data-testid': 'chat-log',
      'aria-live': 'polite',
      'aria-label': `Messages in ${room}`,
    });
    this.outboxList = h('ol', {
      class: 'log chat-log',
      'data-testid': 'chat-outbox',
      'aria-label': `Messages to ${room} not yet delivered`,
    });
    this.logBox = h(
      'div',
      { class: 'log-box chat-box', tabindex: 0, 'aria-label': `Chat in ${room}` },
      this.log,
      this.outboxList,
    );
    this.panel = h(
      'div',
      {
        role: 'tabpanel',
        class: 'room-panel',
        id: `room-panel-${cssSafe(room)}`,
        'data-testid': 'room-panel',
        'data-room': room,
        'aria-labelledby': labelledBy,
      },
      h(
        'details',
        { class: 'who-box', open: true },
        h('summary', {}, 'Here now ', this.whoCount),
        this.whoList,
        this.countsOnly,
      ),
      this.logBox,
    );
  }

  showChat(frame: ChatFrame, own: boolean): void {
    if (this.rows.has(frame.id)) return;
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
    this.rows.set(frame.id, row);
    this.lastSeq = Math.max(this.lastSeq, frame.seq);
    this.place(row, frame.seq);
  }

  /** One line per user who arrived or left over the interval the frame covers. */
  showPresence(frame: PresenceFrame): void {
    const changes = [
      ...(frame.joined ?? []).map((user) => ({ user, event: 'join' })),
      ...(frame.left ?? []).map((user) => ({ user, event: 'leave' })),
    ];
    for (const { user, event } of changes) {
      const row = h(
        'li',
        { class: 'presence', 'data-testid': 'presence-line', 'data-event': event },
        userName(user),
        ` ${event === 'join' ? 'joined' : 'left'}`,
      );
      this.place(row, this.lastSeq + 0.5);
    }
  }

  /** The count, and the members unless the room sends counts only. */
  showRoster(info: RoomInfo): void {
    this.whoCount.textContent = info.count === undefined ? '…' : String(info.count);
    this.countsOnly.hidden = info.users !== undefined || info.count === undefined;
    const self = this.client.session?.userId;
    this.whoList.replaceChildren(
      ...(info.users ?? []).map((user) => {
        const isSelf = user.userId === self;
        return h(
          'li',
          { 'data-testid': 'who-user', 'data-user-id': user.userId, class: isSelf ? 'self' : undefined },
          h('span', { class: 'dot online', 'aria-hidden': 'true' }),
          userName(user, isSelf ? ' (you)' : ''),
          user.connections > 1 ? h('span', { class: 'muted' }, ` ×${user.connections}`) : null,
        );
      }),
    );
  }

  renderOutbox(entries: OutgoingChat[], retry: (id: string) => void): void {
    this.outboxList.replaceChildren(
      ...entries
        .filter((entry) => entry.room === this.room)
        .map((entry) =>
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
              entry.state === 'failed' ? retryButton(() => retry(entry.id)) : null,
            ),
            h('p', { class: 'text' }, entry.text),
          ),
        ),
    );
    this.logBox.scrollTop = this.logBox.scrollHeight;
  }

  /** Inserts a row at its place by sort key (chat seq; a presence line sorts just after the last chat). */
  private place(row: HTMLElement, key: number): void {
    row.dataset.sort = String(key);
    const after = [...this.log.children].find((child) => Number((child as HTMLElement).dataset.sort) > key);
    stickToBottom(this.logBox, () => this.log.insertBefore(row, after ?? null));
  }
}

function retryButton(onClick: () => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'link', 'data-testid': 'chat-retry' }, 'Retry');
  button.addEventListener('click', onClick);
  return button;
}

/** A room name as part of an element id (room names may hold `/`, `:` and `.`). */
export function cssSafe(room: string): string {
  return room.replace(/[^A-Za-z0-9_-]/g, (ch) => `_${ch.charCodeAt(0).toString(16)}`);
}
