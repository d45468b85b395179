import { ChatRooms, type RoomInfo } from './chat-rooms.js';
import type { ClientEvents } from './client-events.js';
import { HistoryPages } from './history-pages.js';
import { WhoPages } from './who-pages.js';
import type { ClientFrame, ErrorFrame, HistoryFrame, JoinedFrame, PresenceFrame, WhoFrame } from './wire/frames.js';
import { DEFAULT_ROOM } from './wire/rules.js';

type RoomEvents = Pick<ClientEvents, 'rooms' | 'roster' | 'who' | 'presence' | 'joined' | 'left' | 'roomRefused'>;

export interface RoomSyncOptions {
  send: (frame: ClientFrame) => void;
  connected: () => boolean;
  emit: <K extends keyof RoomEvents>(event: K, payload: ClientEvents[K]) => void;
  /** Sends the room's chat messages waiting in the outbox: the room is joined on this connection. */
  flushChat: (room: string) => void;
  /** The room is no longer wanted: its chat messages waiting in the outbox will never be sent. */
  dropped: (room: string) => void;
  /** Runs `retry` after `ms` (a busy server refused a join); one at a time. */
  retryLater: (ms: number, retry: () => void) => void;
  /** Runs `retry` after `ms` (a `who` was refused by a busy server, or may have been lost); one at a time. */
  retryWhoLater: (ms: number, retry: () => void) => void;
  /** Whether the server puts the connection in the default room at connect (and the application wants it). */
  joinDefault: boolean;
  historyLimit: number;
  retryMs: number;
}

/**
 * Keeps the client's chat rooms in step with the server: joins on connect and after every reconnect (one
 * on the wire at a time), each room's history and `who` once it is joined, presence applied per room by
 * `tick`, a refused join dropped. The state lives in {@link ChatRooms}; this sends and tells.
 */
export class RoomSync {
  private readonly rooms: ChatRooms;
  private readonly whoPages: WhoPages;
  private readonly historyPages: HistoryPages;
  /** Rooms whose `who` is to be asked again when the retry delay is out. */
  private readonly whoToRetry = new Set<string>();

  constructor(private readonly options: RoomSyncOptions) {
    this.rooms = new ChatRooms(options.joinDefault);
    this.whoPages = new WhoPages(options.send);
    this.historyPages = new HistoryPages(options.send);
  }

  list(): RoomInfo[] {
    return this.rooms.list();
  }

  info(room: string): RoomInfo | undefined {
    return this.rooms.info(room);
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  isJoined(room: string): boolean {
    return this.rooms.isJoined(room);
  }

  firstTimeChat(room: string, seq: number): boolean {
    return this.rooms.firstTimeChat(room, seq);
  }

  join(room: string, name: string | undefined): void {
    if (!this.rooms.want(room, name)) return;
    this.options.emit('rooms', this.rooms.list());
    this.sendNextJoin();
  }

  leave(room: string): void {
    if (!this.forget(room)) return;
    if (this.options.connected()) this.options.send({ action: 'leave', room });
  }

  requestWho(room: string): void {
    if (this.options.connected() && this.rooms.isJoined(room)) this.askWho(room);
  }

  /** A new session: the server has put the connection in the default room; the others are joined again. */
  resume(): void {
    this.rooms.connected();
    const inDefault = this.rooms.isJoined(DEFAULT_ROOM);
    if (inDefault) this.historyPages.request(this.options.historyLimit);
    if (this.rooms.leaveDefaultOnConnect) this.options.send({ action: 'leave', room: DEFAULT_ROOM });
    if (inDefault) this.options.flushChat(DEFAULT_ROOM);
    if (inDefault) this.askWho(DEFAULT_ROOM);
    this.options.emit('rooms', this.rooms.list());
    this.sendNextJoin();
  }

  disconnected(): void {
    this.rooms.disconnected();
    this.whoPages.reset();
    this.whoToRetry.clear();
    this.historyPages.reset();
    this.options.emit('rooms', this.rooms.list());
  }

  onHistory(frame: HistoryFrame): void {
    this.historyPages.accept(frame);
  }

  onWho(frame: WhoFrame): void {
    const everyone = this.whoPages.accept(frame);
    if (!everyone) return;
    this.options.emit('who', everyone);
    if (this.rooms.applyWho(everyone, this.whoPages.isGathering(everyone.room))) this.emitRoster(everyone.room);
  }

  /** Applied as far as it is newer than what is known (see `ChatRooms.applyPresence`); the event carries only that. */
  onPresence(frame: PresenceFrame): void {
    const applied = this.rooms.applyPresence(frame);
    if (!applied) return;
    this.options.emit('presence', applied);
    this.emitRoster(frame.room);
    // A room back under the roster threshold lists joins again: its members must be asked for once.
    if (this.rooms.needsMembers(frame.room)) this.requestWho(frame.room);
  }

  onJoined(frame: JoinedFrame): void {
    // A room left while its join was on the wire: leave it on the server too.
    if (!this.rooms.joined(frame.room)) {
      this.options.send({ action: 'leave', room: frame.room });
      return this.sendNextJoin();
    }
    this.options.emit('joined', frame);
    this.options.emit('rooms', this.rooms.list());
    this.historyPages.request(this.options.historyLimit, frame.room);
    this.options.flushChat(frame.room);
    this.askWho(frame.room);
    this.sendNextJoin();
  }

  /** An error frame about a room action: a refused `join` is the one on the wire. */
  onError(frame: ErrorFrame): void {
    if (frame.action === 'who') {
      // The refusal names no room: every list being gathered is dropped. A busy server's is asked for again,
      // or the room would show its members as they were (its own user under an old name) until a reconnect.
      const rooms = this.whoPages.reset();
      if (frame.code === 'rate_limited' || frame.code === 'internal') this.askWhoLater(rooms);
    }
    if (frame.action !== 'join') return;
    const room = this.rooms.joinOnWire;
    if (room === undefined) return;
    if (frame.code === 'rate_limited' || frame.code === 'internal') {
      // Waited out: the busy server may take it next time.
      return this.options.retryLater(this.options.retryMs, () => {
        this.rooms.settleJoin();
        this.sendNextJoin();
      });
    }
    this.rooms.settleJoin();
    this.forget(room);
    this.options.emit('roomRefused', { room, error: frame });
    this.sendNextJoin();
  }

  /**
   * API Gateway's own error frame (a handler that failed) names no request: it may be the answer to a `who`
   * being gathered, which then never comes. Those lists are asked for again once the retry delay is out.
   */
  onGatewayError(): void {
    this.askWhoLater(this.whoPages.gathering());
  }

  private askWhoLater(rooms: string[]): void {
    if (rooms.length === 0) return;
    for (const room of rooms) this.whoToRetry.add(room);
    this.options.retryWhoLater(this.options.retryMs, () => {
      const again = [...this.whoToRetry];
      this.whoToRetry.clear();
      for (const room of again) {
        // Asked afresh: a list still being gathered is not coming; one that came meanwhile costs one more `who`.
        this.whoPages.forget(room);
        this.requestWho(room);
      }
    });
  }

  private forget(room: string): boolean {
    if (!this.rooms.drop(room)) return false;
    this.whoPages.forget(room);
    this.historyPages.forget(room);
    this.options.dropped(room);
    this.options.emit('rooms', this.rooms.list());
    return true;
  }

  /** The next room to join, when none is on the wire; its answer (`joined` or an error) sends the one after. */
  private sendNextJoin(): void {
    if (!this.options.connected()) return;
    const next = this.rooms.nextJoin();
    if (!next) return;
    this.options.send({ action: 'join', room: next.room, ...(next.name !== undefined ? { name: next.name } : {}) });
  }

  private askWho(room: string): void {
    this.rooms.whoAsked(room);
    this.whoPages.request(room);
  }

  private emitRoster(room: string): void {
    const info = this.rooms.info(room);
    if (info) this.options.emit('roster', info);
  }
}
