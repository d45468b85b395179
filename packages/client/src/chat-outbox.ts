import type { ChatFrame } from './wire/frames.js';
import { DEFAULT_ROOM } from './wire/rules.js';

/**
 * `queued`: waiting for a connection. `sent`: on the wire, waiting for the server's `chat` echo. `failed`:
 * the gateway answered with its own error while it was on the wire; sent again on Retry or reconnect.
 */
export type OutgoingState = 'queued' | 'sent' | 'failed';

export interface OutgoingChat {
  id: string;
  /** The room it is sent in. */
  room: string;
  text: string;
  state: OutgoingState;
  createdAt: number;
}

/**
 * Chat messages the user wrote that the server has not confirmed yet. A message leaves the outbox only when
 * a `chat` frame with its `id` comes back; until then it is re-sent on every new session with the same
 * `id`, which the server stores and delivers once. Nothing is dropped silently.
 */
export class ChatOutbox {
  private readonly entries = new Map<string, OutgoingChat>();

  constructor(
    private readonly newId: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Unconfirmed messages, oldest first. */
  list(): OutgoingChat[] {
    return [...this.entries.values()];
  }

  add(text: string, room: string = DEFAULT_ROOM): OutgoingChat {
    const entry: OutgoingChat = { id: this.newId(), room, text, state: 'queued', createdAt: this.now() };
    this.entries.set(entry.id, entry);
    return entry;
  }

  markSent(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.state = 'sent';
  }

  /** The connection is gone: whatever was on the wire must be sent again. */
  requeueAll(): void {
    for (const entry of this.entries.values()) entry.state = 'queued';
  }

  /** The gateway reported a failure it does not attribute: whatever was on the wire may not have arrived. */
  failSent(): OutgoingChat[] {
    const failed = this.list().filter((entry) => entry.state === 'sent');
    for (const entry of failed) entry.state = 'failed';
    return failed;
  }

  get(id: string): OutgoingChat | undefined {
    return this.entries.get(id);
  }

  /** The server has the message. Returns the entry it confirms, if it was ours. */
  confirm(frame: ChatFrame): OutgoingChat | undefined {
    const entry = this.entries.get(frame.id);
    if (entry) this.entries.delete(frame.id);
    return entry;
  }

  /** Takes a message out for good (the server refused it); returns it if it was there. */
  remove(id: string): OutgoingChat | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  /** Messages on the wire, waiting for their echo. */
  sent(): OutgoingChat[] {
    return this.list().filter((entry) => entry.state === 'sent');
  }

  /** Messages waiting for a connection; only those of `room` when it is given. */
  queued(room?: string): OutgoingChat[] {
    return this.list().filter((entry) => entry.state === 'queued' && (room === undefined || entry.room === room));
  }
}
