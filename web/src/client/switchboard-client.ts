import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { ChatOutbox, type OutgoingChat } from './chat-outbox';
import { Emitter } from './emitter';
import { handshakeUrl, httpUrlOf, isWebSocketUrl } from './endpoint';
import { FeedBuffer, type FeedUpdate } from './feed-buffer';
import {
  parseGatewayError,
  parseServerFrame,
  type AckFrame,
  type ChatFrame,
  type ClientFrame,
  type DirectFrame,
  type ErrorFrame,
  type GatewayErrorFrame,
  type HistoryFrame,
  type PresenceFrame,
  type ServerFrame,
  type SessionFrame,
  type SubscribedFrame,
  type TopicMessageFrame,
  type WhoFrame,
} from './frames';
import { HandshakeDiagnosis, type Handshake } from './handshake-diagnosis';
import { Heartbeat } from './heartbeat';
import { randomId } from './ids';
import { realScheduler, type Scheduler } from './scheduler';
import type { SocketFactory, SocketHandle } from './socket';
import { TopicTracker } from './topic-tracker';
import { WhoPages } from './who-pages';
import { HistoryPages } from './history-pages';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

type PublishFrame = Extract<ClientFrame, { action: 'publish' }>;

/** Where session tokens are kept between page loads, one per server URL. */
export interface TokenStore {
  load(url: string): string | undefined;
  save(url: string, token: string): void;
  clear(url: string): void;
}

export interface StatusChange {
  status: ConnectionStatus;
  /** Why, in words, when it is not obvious (the next retry, an error). */
  detail?: string;
  /** Milliseconds until the next attempt, while reconnecting. */
  retryInMs?: number;
}

export interface ClientEvents extends Record<string, unknown> {
  status: StatusChange;
  session: { frame: SessionFrame; newIdentity: boolean };
  frame: ServerFrame;
  subscribed: SubscribedFrame;
  topics: string[];
  topicMessage: TopicMessageFrame;
  ack: AckFrame;
  chat: { frame: ChatFrame; own: boolean };
  history: HistoryFrame;
  who: WhoFrame;
  presence: PresenceFrame;
  direct: DirectFrame;
  outbox: OutgoingChat[];
  feed: { update: FeedUpdate; buffer: FeedBuffer };
  reading: boolean;
  feedEnd: FeedBuffer;
  error: ErrorFrame;
  /** API Gateway's own error frame; whatever was waiting for an answer has been settled as failed. */
  gatewayError: GatewayErrorFrame;
  /** A publish that met a second gateway failure after being sent again once; it will not be re-sent. */
  publishFailed: { id: string; topic: string };
  /** The server refused a new display name (the connection succeeded without it); the old name stays. */
  nameRefused: string;
  /** Something the user should know that is not a server error frame. */
  notice: string;
}

export interface SwitchboardClientOptions {
  createSocket: SocketFactory;
  scheduler?: Scheduler;
  random?: () => number;
  newId?: () => string;
  tokenStore?: TokenStore;
  backoff?: BackoffOptions;
  /** Ping interval. API Gateway closes a connection idle for 10 minutes. */
  heartbeatMs?: number;
  /** How long to wait for a pong before declaring the connection dead. */
  pongTimeoutMs?: number;
  /** How many chat messages to ask for on join. */
  historyLimit?: number;
  /** Delay before re-sending after a `rate_limited` error. */
  rateLimitRetryMs?: number;
  /** How long to wait for `session` after `hello` before asking again (three times, then reconnect). */
  helloTimeoutMs?: number;
  /**
   * Tells whether the server answers at all (any HTTP response). The browser shows a refused handshake (401
   * for a bad token) and an unreachable server alike, as a socket that closes before opening; this tells
   * them apart so a token is not thrown away just because the network was down. Absent: every failure
   * before open with a token counts as a refusal.
   */
  probe?: (httpUrl: string) => Promise<boolean>;
}

/**
 * The Switchboard protocol client: socket lifecycle, automatic reconnect with backoff that resumes the
 * session by token, heartbeat, resubscription without gaps, chat and publish outboxes, tele-read. It holds
 * no DOM code; the UI listens to its events.
 */
export class SwitchboardClient {
  readonly topics = new TopicTracker();
  readonly outbox: ChatOutbox;
  readonly feed = new FeedBuffer();
  private readonly events = new Emitter<ClientEvents>();
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly heartbeat: Heartbeat;
  private readonly pendingPublishes = new Map<string, PublishFrame>();
  /** Publishes already sent again once after a gateway error: a second error fails them. */
  private readonly resentAfterGatewayError = new Set<string>();
  private readonly whoPages = new WhoPages((frame) => this.sendNow(frame));
  private readonly historyPages = new HistoryPages((frame) => this.sendNow(frame));

  private url = '';
  private name: string | undefined;
  private token: string | undefined;
  private socket: SocketHandle | undefined;
  private generation = 0;
  private wanted = false;
  private opened = false;
  private ready = false;
  private everConnected = false;
  private attempt = 0;
  private retryTimer: unknown;
  private autoDisconnectTimer: unknown;
  private rateLimitTimer: unknown;
  private helloTimer: unknown;
  private currentStatus: ConnectionStatus = 'disconnected';
  private currentSession: SessionFrame | undefined;
  private isReading = false;
  /** The last handshake's contents, so the session that answers it can tell what the server accepted. */
  private handshake: Handshake | undefined;
  private readonly diagnosis = new HandshakeDiagnosis();

  constructor(private readonly options: SwitchboardClientOptions) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? randomId;
    this.outbox = new ChatOutbox(this.newId, () => this.scheduler.now());
    this.heartbeat = new Heartbeat(
      this.scheduler,
      options.heartbeatMs ?? 5 * 60_000,
      options.pongTimeoutMs ?? 20_000,
      () => this.sendNow({ action: 'ping' }),
      () => this.abandonSocket('no answer to ping'),
    );
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  get session(): SessionFrame | undefined {
    return this.currentSession;
  }

  get reading(): boolean {
    return this.isReading;
  }

  get connectedUrl(): string {
    return this.url;
  }

  get displayName(): string | undefined {
    return this.name;
  }

  /** Connects (or reconnects at once) to `url`, resuming the identity stored for it. */
  connect(url: string, options: { name?: string | undefined; autoDisconnectMs?: number | undefined } = {}): void {
    this.stopTimers();
    this.dropSocket();
    if (this.url !== url) this.currentSession = undefined;
    this.url = url;
    this.name = options.name?.trim() || undefined;
    this.token = this.options.tokenStore?.load(url);
    this.wanted = true;
    this.everConnected = false;
    this.attempt = 0;
    this.diagnosis.reset();
    if (!isWebSocketUrl(url)) {
      this.wanted = false;
      this.setStatus({ status: 'error', detail: 'That is not a ws:// or wss:// URL.' });
      return;
    }
    if (options.autoDisconnectMs && options.autoDisconnectMs > 0) {
      const seconds = Math.round(options.autoDisconnectMs / 1000);
      this.autoDisconnectTimer = this.scheduler.setTimeout(() => {
        this.disconnect();
        this.emit('notice', `Disconnected automatically after ${seconds} s, as set.`);
      }, options.autoDisconnectMs);
    }
    this.open('connecting');
  }

  /** Closes the connection and stays disconnected. Queued chat messages stay queued. */
  disconnect(): void {
    this.wanted = false;
    this.stopTimers();
    this.dropSocket();
    this.setStatus({ status: 'disconnected' });
  }

  /** Changes the chat display name; an open connection reconnects with it (the server renames the user). */
  setName(name: string): void {
    this.name = name.trim() || undefined;
    if (!this.wanted) return;
    this.scheduler.clearTimeout(this.retryTimer);
    this.dropSocket();
    this.attempt = 0;
    this.diagnosis.nameChanged(this.name !== undefined);
    this.open('connecting');
  }

  /** Forgets this identity: the server issues a new user (and the old token is refused from then on). */
  resetIdentity(): void {
    this.isReading = false;
    this.emit('reading', false);
    this.feed.resetAt(0, this.feed.total);
    if (this.ready) {
      this.sendNow({ action: 'reset' });
      return;
    }
    this.token = undefined;
    this.options.tokenStore?.clear(this.url);
    // A handshake under way carries the old token, or tests it: start over without it, suspecting nothing.
    this.diagnosis.reset();
    if (this.wanted && this.socket) {
      this.dropSocket();
      this.open(this.everConnected ? 'reconnecting' : 'connecting');
    }
  }

  subscribe(topic: string): void {
    this.topics.want(topic);
    this.emit('topics', this.topics.topics);
    if (this.ready) this.sendNow({ action: 'subscribe', topic });
  }

  unsubscribe(topic: string): void {
    const was = this.topics.isWanted(topic);
    this.topics.unwant(topic);
    this.emit('topics', this.topics.topics);
    if (was && this.ready) this.sendNow({ action: 'unsubscribe', topic });
  }

  /** Publishes with a fresh id; kept and re-sent after a reconnect until acknowledged. Returns the id. */
  publish(topic: string, message: unknown): string {
    const id = this.newId();
    const frame: PublishFrame = { action: 'publish', topic, message, id };
    this.pendingPublishes.set(id, frame);
    if (this.ready) this.sendNow(frame);
    return id;
  }

  /** Queues a chat message; it is sent now if connected and shown as sent once the server echoes its id. */
  sendChat(text: string): OutgoingChat | undefined {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    const entry = this.outbox.add(trimmed);
    if (this.ready) this.sendChatEntry(entry);
    this.emit('outbox', this.outbox.list());
    return entry;
  }

  teleread(): void {
    this.isReading = true;
    this.emit('reading', true);
    if (this.ready) this.sendNow(this.telereadFrame());
  }

  /**
   * Asks to resume after the text this page holds: the server's saved cursor counts frames API Gateway
   * accepted, which can run ahead of what reached a page whose connection died without a close frame.
   */
  private telereadFrame(): ClientFrame {
    // With no article length known (the server could not load it), the position is not the page's to give.
    return this.feed.total > 0 ? { action: 'teleread', cursor: this.feed.cursor } : { action: 'teleread' };
  }

  stopReading(): void {
    this.isReading = false;
    this.emit('reading', false);
    if (this.ready) this.sendNow({ action: 'stop' });
  }

  /** Asks for everyone in the room: the `who` event comes once every page has. */
  requestWho(): void {
    if (this.ready) this.whoPages.request();
  }

  /** Sends a chat message again that failed on the wire (see {@link ClientEvents.gatewayError}). */
  retryChat(id: string): void {
    const entry = this.outbox.get(id);
    if (!entry || !this.ready) return;
    this.sendChatEntry(entry);
    this.emit('outbox', this.outbox.list());
  }

  private open(status: 'connecting' | 'reconnecting' | 'error'): void {
    const generation = ++this.generation;
    const handshake = this.diagnosis.next(this.token, this.name);
    this.handshake = handshake;
    this.opened = false;
    this.ready = false;
    this.setStatus({ status });
    const url = handshakeUrl(this.url, { token: handshake.token, name: handshake.name });
    this.socket = this.options.createSocket(url, {
      onOpen: () => {
        if (generation !== this.generation) return;
        this.opened = true;
        this.diagnosis.opened(handshake);
        this.sayHello(1);
      },
      onMessage: (data) => {
        if (generation !== this.generation) return;
        const frame = parseServerFrame(data);
        if (frame) return this.dispatch(frame);
        const gatewayError = parseGatewayError(data);
        if (gatewayError) this.onGatewayError(gatewayError);
      },
      onClose: (code, reason) => {
        if (generation !== this.generation) return;
        this.onSocketClosed(handshake, code, reason);
      },
    });
  }

  /** A lost `session` reply would leave the page waiting forever; `hello` is safe to repeat. */
  private sayHello(attempt: number): void {
    this.sendNow({ action: 'hello' });
    this.scheduler.clearTimeout(this.helloTimer);
    this.helloTimer = this.scheduler.setTimeout(() => {
      if (this.ready) return;
      if (attempt < 3) this.sayHello(attempt + 1);
      else this.abandonSocket('no session after hello');
    }, this.options.helloTimeoutMs ?? 5000);
  }

  private onSocketClosed(handshake: Handshake, code: number, reason: string): void {
    const opened = this.opened;
    this.socket = undefined;
    this.generation++;
    this.afterSocketGone();
    if (!this.wanted) {
      this.setStatus({ status: 'disconnected' });
      return;
    }
    if (!opened && (handshake.token !== undefined || handshake.name !== undefined || handshake.withoutToken)) {
      void this.diagnoseRefusal(handshake);
      return;
    }
    const detail = opened ? `Connection lost (code ${code}${reason ? `: ${reason}` : ''}).` : 'Could not connect.';
    this.scheduleRetry(detail);
  }

  /** A handshake failed before opening: is the server there at all, and if so, what to leave out next. */
  private async diagnoseRefusal(handshake: Handshake): Promise<void> {
    const generation = this.generation;
    const token = this.token;
    const reachable = this.options.probe ? await this.options.probe(httpUrlOf(this.url)).catch(() => false) : true;
    if (!this.wanted || generation !== this.generation) return;
    if (!reachable) return this.scheduleRetry('The server cannot be reached.');
    // Reset identity while the probe ran: the token in question is gone, so the next try answers itself.
    if (this.token !== token) return this.scheduleRetry('Could not connect.');
    if (this.diagnosis.refused(handshake) === 'now') return this.open(this.everConnected ? 'reconnecting' : 'connecting');
    this.scheduleRetry('The server refused the connection.');
  }

  private scheduleRetry(detail: string): void {
    const delay = backoffDelay(this.attempt++, this.random, this.options.backoff ?? DEFAULT_BACKOFF);
    this.setStatus({ status: this.everConnected ? 'reconnecting' : 'error', detail, retryInMs: delay });
    this.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = this.scheduler.setTimeout(() => {
      if (this.wanted) this.open(this.everConnected ? 'reconnecting' : 'error');
    }, delay);
  }

  /** Gives up on a socket that seems dead and reconnects without waiting for its close event. */
  private abandonSocket(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    this.generation++;
    socket.close(4000, reason);
    this.afterSocketGone();
    if (this.wanted) this.scheduleRetry(`Connection lost (${reason}).`);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.generation++;
    if (socket) socket.close(1000, 'client closed');
    this.afterSocketGone();
  }

  private afterSocketGone(): void {
    this.resentAfterGatewayError.clear(); // a new session re-sends every waiting publish afresh
    this.heartbeat.stop();
    this.scheduler.clearTimeout(this.helloTimer);
    this.opened = false;
    this.ready = false;
    if (this.outbox.size > 0) {
      this.outbox.requeueAll();
      this.emit('outbox', this.outbox.list());
    }
  }

  private stopTimers(): void {
    this.scheduler.clearTimeout(this.retryTimer);
    this.scheduler.clearTimeout(this.autoDisconnectTimer);
    this.scheduler.clearTimeout(this.rateLimitTimer);
  }

  private dispatch(frame: ServerFrame): void {
    this.emit('frame', frame);
    switch (frame.type) {
      case 'session':
        return this.onSession(frame);
      case 'pong':
        return this.heartbeat.onPong();
      case 'subscribed':
        this.topics.onSubscribed(frame);
        return this.emit('subscribed', frame);
      case 'message':
        if (this.topics.accept(frame)) this.emit('topicMessage', frame);
        return;
      case 'skipped':
        this.topics.accept(frame);
        return;
      case 'ack':
        this.pendingPublishes.delete(frame.id);
        this.resentAfterGatewayError.delete(frame.id);
        return this.emit('ack', frame);
      case 'chat':
        return this.onChat(frame);
      case 'history':
        for (const message of frame.messages) this.outbox.confirm(message);
        this.historyPages.accept(frame);
        this.emit('history', frame);
        return this.emit('outbox', this.outbox.list());
      case 'who': {
        const everyone = this.whoPages.accept(frame);
        return everyone ? this.emit('who', everyone) : undefined;
      }
      case 'presence':
        this.emit('presence', frame);
        return this.requestWho();
      case 'direct':
        return this.emit('direct', frame);
      case 'feed':
        return this.emit('feed', { update: this.feed.apply(frame), buffer: this.feed });
      case 'feed-end':
        this.feed.total = frame.total;
        this.isReading = false;
        this.emit('reading', false);
        return this.emit('feedEnd', this.feed);
      case 'feed-stopped':
        this.isReading = false;
        return this.emit('reading', false);
      case 'error':
        return this.onError(frame);
      case 'unsubscribed':
        return;
    }
  }

  private onSession(frame: SessionFrame): void {
    if (!this.ready && this.handshake?.withoutToken && this.diagnosis.tokenlessSucceeded(this.handshake) === 'confirm') {
      // Not adopted yet: this session is dropped unused (the server forgets it by TTL) and the token tried again.
      this.dropSocket();
      return this.open(this.everConnected ? 'reconnecting' : 'connecting');
    }
    const previous = this.currentSession;
    const newIdentity = previous === undefined || previous.userId !== frame.userId;
    this.currentSession = frame;
    this.token = frame.token;
    this.options.tokenStore?.save(this.url, frame.token);
    // A late answer to a repeated hello on this connection: nothing changed, nothing to restart.
    if (this.ready && !newIdentity) return;
    const isReset = this.ready;
    if (!isReset) this.learnFromHandshake();
    if (newIdentity || isReset) {
      this.feed.resetAt(frame.cursor, frame.total);
      if (isReset || !frame.resumed) {
        this.isReading = false;
        this.emit('reading', false);
      }
    } else {
      this.feed.onSession(frame.cursor, frame.total);
    }
    this.scheduler.clearTimeout(this.helloTimer);
    if (!isReset) this.heartbeat.start();
    this.ready = true;
    this.everConnected = true;
    this.attempt = 0;
    this.setStatus({ status: 'connected' });
    this.emit('session', { frame, newIdentity });
    if (isReset) return;
    this.resume();
  }

  /** After (re)connecting: restore subscriptions without gaps, the reading, and everything queued. */
  private resume(): void {
    for (const frame of this.topics.resubscribeFrames()) this.sendNow(frame);
    if (this.isReading) this.sendNow(this.telereadFrame());
    for (const frame of this.pendingPublishes.values()) this.sendNow(frame);
    this.historyPages.request(this.options.historyLimit ?? 50);
    for (const entry of this.outbox.queued()) this.sendChatEntry(entry);
    this.emit('outbox', this.outbox.list());
    this.whoPages.reset();
    this.whoPages.request();
  }

  /** The handshake that just succeeded settles whatever the failed ones were suspected of. */
  private learnFromHandshake(): void {
    if (!this.handshake) return;
    const { nameRefused, tokenRefused } = this.diagnosis.succeeded(this.handshake);
    if (nameRefused && this.name !== undefined) {
      const refused = this.name;
      this.name = undefined;
      this.emit('nameRefused', refused);
    }
    if (tokenRefused) this.emit('notice', 'The server no longer accepts this identity; starting a new one.');
  }

  /**
   * The gateway does not say which request failed, so nothing waiting may hang on it. A publish waiting for
   * its ack is sent once more (the same `id`: the server stores and delivers it at most once, so a publish
   * that had in fact gone through is only acked again); one that meets a second error is reported failed.
   */
  private onGatewayError(frame: GatewayErrorFrame): void {
    // Before the session only `hello` is on the wire (and is asked again); queued publishes were not sent yet.
    const publishes = this.ready ? [...this.pendingPublishes.values()] : [];
    const failed = publishes.filter((publish) => this.resentAfterGatewayError.has(publish.id ?? ''));
    for (const publish of failed) {
      this.pendingPublishes.delete(publish.id ?? '');
      this.resentAfterGatewayError.delete(publish.id ?? '');
    }
    const chats = this.outbox.failSent();
    this.emit('gatewayError', frame);
    for (const publish of publishes.filter((candidate) => !failed.includes(candidate))) {
      this.resentAfterGatewayError.add(publish.id ?? '');
      this.sendNow(publish);
    }
    for (const publish of failed) this.emit('publishFailed', { id: publish.id ?? '', topic: publish.topic });
    if (chats.length > 0) this.emit('outbox', this.outbox.list());
  }

  private onChat(frame: ChatFrame): void {
    const mine = this.outbox.confirm(frame) !== undefined;
    const own = mine || frame.from.userId === this.currentSession?.userId;
    this.emit('chat', { frame, own });
    if (mine) this.emit('outbox', this.outbox.list());
  }

  private onError(frame: ErrorFrame): void {
    this.emit('error', frame);
    if (frame.action === 'who') this.whoPages.reset();
    if (frame.code !== 'rate_limited') return;
    this.scheduler.clearTimeout(this.rateLimitTimer);
    this.rateLimitTimer = this.scheduler.setTimeout(() => {
      if (!this.ready) return;
      for (const frame of this.pendingPublishes.values()) this.sendNow(frame);
      for (const entry of this.outbox.list()) this.sendChatEntry(entry);
    }, this.options.rateLimitRetryMs ?? 1500);
  }

  private sendChatEntry(entry: OutgoingChat): void {
    this.sendNow({ action: 'sendmessage', message: entry.text, id: entry.id });
    this.outbox.markSent(entry.id);
  }

  private sendNow(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private setStatus(change: StatusChange): void {
    this.currentStatus = change.status;
    this.emit('status', change);
  }

  private emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    this.events.emit(event, payload);
  }
}
