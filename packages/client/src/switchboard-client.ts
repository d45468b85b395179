import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { ChatOutbox, type OutgoingChat } from './chat-outbox.js';
import type { RoomInfo } from './chat-rooms.js';
import type { ClientEvents, ConnectionStatus, StatusChange } from './client-events.js';
import type { SwitchboardClientOptions } from './client-options.js';
import { Emitter } from './emitter.js';
import { handshakeUrl, httpUrlOf } from './endpoint.js';
import { ClientClosedError, NotInRoomError, SignedInResetError, SwitchboardClientError } from './errors.js';
import { FeedBuffer } from './feed-buffer.js';
import { type Handshake, HandshakeDiagnosis } from './handshake-diagnosis.js';
import { Heartbeat } from './heartbeat.js';
import { randomId } from './ids.js';
import { jwtExpiry } from './jwt-expiry.js';
import { type ConnectionEvent, type ConnectionState, nextState } from './machine.js';
import { type GatewayErrorFrame, parseServerFrame } from './parse-frames.js';
import { type PublishFailure, PublishOutbox, type PublishOutcome, type PublishTicket } from './publish-outbox.js';
import { type MessageKind, RefusalPolicy } from './refusal-policy.js';
import { RoomSync } from './room-sync.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { createWebSocketFactory, type SocketFactory, type SocketHandle } from './socket.js';
import { SIGN_IN_SUBPROTOCOL, type TokenProvider, type TokenReason } from './token-provider.js';
import { type TopicStatus, TopicStreams } from './topic-streams.js';
import {
  requireChatText,
  requireDisplayName,
  requireFrameSize,
  requireMessage,
  requireRoom,
  requireSince,
  requireTopic,
  requireWebSocketUrl,
} from './validate.js';
import type { ChatFrame, ClientFrame, ErrorFrame, ServerFrame, SessionFrame } from './wire/frames.js';
import { DEFAULT_ROOM, GATEWAY } from './wire/rules.js';

/** The longest delay a timer keeps: browsers and Node store it in 32 bits. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type TimerName =
  | 'retry'
  | 'autoDisconnect'
  | 'hello'
  | 'renew'
  | 'publishRetry'
  | 'chatRetry'
  | 'joinRetry'
  | 'tokenRefresh'
  | 'whoRetry';

const CHAT_ACTIONS: ReadonlySet<string> = new Set(['sendmessage', 'send']);

/**
 * The Switchboard protocol client, for browsers and Node: an explicit connection state machine
 * (machine.ts) with reconnect, backoff and token resume; per-topic delivery in seq order, exactly once; an
 * outbox for publishes and chat whose entries keep their id until the server has them; heartbeat and a
 * planned reconnect inside API Gateway's limits; tele-read that resumes at the exact character.
 */
export class SwitchboardClient {
  readonly feed = new FeedBuffer();
  readonly outbox: ChatOutbox;
  /** The chat rooms wanted, kept in step with the server: joins, history, who and presence per room. */
  private readonly chatRooms: RoomSync;
  private readonly topicStreams: TopicStreams;
  private readonly publishes = new PublishOutbox();
  private readonly events = new Emitter<ClientEvents>();
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly createSocket: SocketFactory;
  private readonly heartbeat: Heartbeat;
  private readonly diagnosis = new HandshakeDiagnosis();
  private readonly refusals: RefusalPolicy;

  private machine: ConnectionState = 'idle';
  private url = '';
  private name: string | undefined;
  private token: string | undefined;
  private socket: SocketHandle | undefined;
  /** Which socket callbacks are current: each new or dropped socket moves it on. */
  private generation = 0;
  private everConnected = false;
  private attempt = 0;
  private readonly timers = new Map<TimerName, unknown>();
  private currentStatus: ConnectionStatus = 'disconnected';
  private currentSession: SessionFrame | undefined;
  private isReading = false;
  /** The last handshake's contents, so the session that answers it can tell what the server accepted. */
  private handshake: Handshake | undefined;
  /** With a token provider: the sign-in token (JWT) the current handshake carries. */
  private signInToken: string | undefined;
  /** Why the next handshake asks the token provider. */
  private tokenReason: TokenReason = 'connect';
  /** A token fetched for a refresh, which the renewed handshake uses rather than asking again. */
  private prefetchedToken: string | undefined;
  private readonly abort: (() => void) | undefined;

  constructor(private readonly options: SwitchboardClientOptions = {}) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? randomId;
    this.createSocket = options.createSocket ?? createWebSocketFactory(options.WebSocket);
    this.outbox = new ChatOutbox(this.newId, () => this.scheduler.now());
    this.chatRooms = new RoomSync({
      send: (frame) => this.send(frame),
      connected: () => this.machine === 'connected',
      emit: (event, payload) => this.emit(event, payload),
      flushChat: (room) => {
        for (const entry of this.outbox.queued(room)) this.sendChatEntry(entry);
        this.emit('outbox', this.outbox.list());
      },
      dropped: (room) => this.failRoomChat(room),
      retryLater: (ms, retry) => {
        if (!this.timers.has('joinRetry')) this.startTimer('joinRetry', ms, retry);
      },
      retryWhoLater: (ms, retry) => {
        if (!this.timers.has('whoRetry')) this.startTimer('whoRetry', ms, retry);
      },
      joinDefault: options.chat !== false,
      historyLimit: options.historyLimit ?? 50,
      retryMs: options.rateLimitRetryMs ?? 1500,
    });
    this.refusals = new RefusalPolicy({
      rateLimitRetryMs: options.rateLimitRetryMs ?? 1500,
      maxRetryMs: (options.backoff ?? DEFAULT_BACKOFF).maxMs,
      maxServerErrors: options.maxServerErrors ?? 5,
    });
    this.heartbeat = new Heartbeat(
      this.scheduler,
      options.heartbeatMs ?? 5 * 60_000,
      options.pongTimeoutMs ?? 20_000,
      () => this.send({ action: 'ping' }),
      () => this.loseSocket('no answer to ping'),
    );
    this.topicStreams = new TopicStreams({
      scheduler: this.scheduler,
      deliver: (frame) => this.emit('topicMessage', frame),
      status: (topic, status) => this.emit('topicStatus', { topic, status }),
      requestReplay: (topic, since) => {
        if (this.machine !== 'connected') return false;
        this.send({ action: 'subscribe', topic, since });
        return true;
      },
      skipped: (topic, from, to) => this.emit('gap', { topic, from, to }),
      gapWaitMs: options.gapWaitMs ?? 1000,
      gapGiveUpMs: options.gapGiveUpMs ?? 10_000,
      maxHeld: 1000,
    });
    const signal = options.signal;
    if (signal) {
      this.abort = () => this.close();
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', this.abort, { once: true });
    }
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** The connection machine's state. */
  get state(): ConnectionState {
    return this.machine;
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

  /** The topics subscribed to, in the order they were added. */
  get topics(): string[] {
    return this.topicStreams.topics;
  }

  /**
   * The chat rooms this client is in or joining, in the order they were joined: the default room first
   * (unless `chat: false`), with each one's count and members as last told.
   */
  get rooms(): RoomInfo[] {
    return this.chatRooms.list();
  }

  room(room: string): RoomInfo | undefined {
    return this.chatRooms.info(room);
  }

  topicStatus(topic: string): TopicStatus | undefined {
    return this.topicStreams.statusOf(topic);
  }

  /** The seq up to which every message of the topic has been handed to the application. */
  lastSeq(topic: string): number | undefined {
    return this.topicStreams.lastSeq(topic);
  }

  /**
   * Connects (or reconnects at once) to `url`, resuming the identity stored for it. Throws
   * {@link InvalidUrlError} for anything but ws:// or wss://, {@link InvalidNameError} for a name the server
   * would refuse, before anything is sent.
   */
  connect(url: string, options: { name?: string | undefined; autoDisconnectMs?: number | undefined } = {}): void {
    this.assertOpen();
    requireWebSocketUrl(url);
    const name = requireDisplayName(options.name);
    this.stopTimer('retry');
    this.stopTimer('autoDisconnect');
    this.dropSocket();
    if (this.url !== url) this.currentSession = undefined;
    this.url = url;
    this.name = name;
    // Signed in, the provider's token is the identity; the server's session token is not kept.
    this.token = this.options.token ? undefined : this.options.tokenStore?.load(url);
    this.tokenReason = 'connect';
    this.prefetchedToken = undefined;
    this.everConnected = false;
    this.attempt = 0;
    this.diagnosis.reset();
    if (options.autoDisconnectMs && options.autoDisconnectMs > 0) {
      const seconds = Math.round(options.autoDisconnectMs / 1000);
      this.startTimer('autoDisconnect', options.autoDisconnectMs, () => {
        this.disconnect();
        this.emit('notice', `Disconnected automatically after ${seconds} s, as set.`);
      });
    }
    if (this.fire('connect')) this.open();
  }

  /** Closes the connection and stays disconnected. Queued publishes and chat messages stay queued. */
  disconnect(): void {
    if (!this.fire('disconnect')) return;
    this.stopAllTimers();
    this.dropSocket();
  }

  /**
   * Closes the client for good: every timer and socket stops, nothing keeps a Node process alive, and
   * publishes still waiting settle as failed (`closed`). Later calls throw {@link ClientClosedError}.
   */
  close(): void {
    if (this.machine === 'closed') return;
    this.fire('close');
    this.stopAllTimers();
    this.dropSocket();
    this.topicStreams.clear();
    for (const id of this.publishes.ids())
      this.settlePublish(this.publishes.fail(id, { kind: 'closed', message: 'The client was closed.' }));
    this.options.signal?.removeEventListener('abort', this.abort ?? (() => undefined));
  }

  /** Changes the chat display name; an open connection reconnects with it (the server renames the user). */
  setName(name: string): void {
    this.assertOpen();
    this.name = requireDisplayName(name);
    if (!this.fire('renew')) return;
    this.stopTimer('retry');
    this.dropSocket();
    this.attempt = 0;
    this.diagnosis.nameChanged(this.name !== undefined);
    this.open();
  }

  /** Forgets this identity: the server issues a new user (and the old token is refused from then on). */
  resetIdentity(): void {
    this.assertOpen();
    // The identity is the token provider's: a reset would be undone by the next sign-in, and the server refuses it.
    if (this.options.token) throw new SignedInResetError();
    this.setReading(false);
    this.feed.resetAt(0, this.feed.total);
    if (this.machine === 'connected') return this.send({ action: 'reset' });
    this.token = undefined;
    this.options.tokenStore?.clear(this.url);
    // A handshake under way carries the old token, or tests it: start over without it, suspecting nothing.
    this.diagnosis.reset();
    if (this.socket && this.fire('renew')) {
      this.dropSocket();
      this.open();
    }
  }

  /**
   * Subscribes to a topic, now or on connect. Without `since`, delivery starts after the topic's latest
   * message when the server confirms; with it, every stored message after `since` comes first. Throws
   * {@link InvalidTopicError} for a name outside the rules.
   */
  subscribe(topic: string, options: { since?: number } = {}): void {
    this.assertOpen();
    requireTopic(topic);
    const since = requireSince(options.since);
    if (this.topicStreams.has(topic)) return;
    this.topicStreams.add(topic, since);
    this.emit('topics', this.topicStreams.topics);
    if (this.machine === 'connected') this.send(this.topicStreams.subscribeFrame(topic));
  }

  unsubscribe(topic: string): void {
    this.assertOpen();
    if (!this.topicStreams.has(topic)) return;
    this.topicStreams.remove(topic);
    this.emit('topics', this.topicStreams.topics);
    if (this.machine === 'connected') this.send({ action: 'unsubscribe', topic });
  }

  /**
   * Publishes with a fresh id, now or once connected; kept and re-sent with the same id after a reconnect
   * until the server acks it, so it is stored once. Throws {@link InvalidTopicError},
   * {@link MessageTooLargeError}, {@link MessageTooDeepError} or {@link UnprintableTextError} before anything
   * is sent.
   */
  publish(topic: string, message: unknown): PublishTicket {
    this.assertOpen();
    requireTopic(topic);
    requireMessage(message);
    const id = this.newId();
    requireFrameSize(JSON.stringify({ action: 'publish', topic, message, id }));
    const ticket = this.publishes.add(id, topic, message);
    if (this.machine === 'connected') this.sendPublish(id);
    return ticket;
  }

  /**
   * Queues a chat message; sent now if connected, and again with the same id after a reconnect until its
   * echo comes back. Throws {@link EmptyChatError}, {@link MessageTooLargeError} or
   * {@link UnprintableTextError} (text the server would refuse) before sending.
   */
  sendChat(text: string, options: { room?: string } = {}): OutgoingChat {
    this.assertOpen();
    const room = options.room === undefined ? DEFAULT_ROOM : requireRoom(options.room);
    if (!this.chatRooms.has(room)) throw new NotInRoomError(room);
    const entry = this.outbox.add(requireChatText(text), room);
    if (this.machine === 'connected' && this.chatRooms.isJoined(room)) this.sendChatEntry(entry);
    this.emit('outbox', this.outbox.list());
    return entry;
  }

  /**
   * Joins a chat room, now or on connect, and again after every reconnect, optionally under a name of its
   * own there; once the server confirms (`joined`), its history and who is here are asked for. Throws
   * {@link InvalidRoomError} or {@link InvalidNameError} before anything is sent. A refusal (`too_many_rooms`)
   * comes as a `roomRefused` event, and the room is dropped.
   */
  joinRoom(room: string, options: { name?: string } = {}): void {
    this.assertOpen();
    requireRoom(room);
    this.chatRooms.join(room, requireDisplayName(options.name));
  }

  /** Leaves a chat room; its messages not yet sent fail (`not_in_room`). Not rejoined after a reconnect. */
  leaveRoom(room: string): void {
    this.assertOpen();
    this.chatRooms.leave(room);
  }

  /** Chat to a room left or refused will never be sent: each fails with `not_in_room`. */
  private failRoomChat(room: string): void {
    for (const entry of this.outbox.list().filter((candidate) => candidate.room === room))
      this.failMessage('chat', entry.id, {
        kind: 'server',
        code: 'not_in_room',
        message: `Not in the room "${room}" any more; the message was not sent.`,
      });
  }

  /** Sends a chat message again that failed on the wire (see {@link ClientEvents.gatewayError}). */
  retryChat(id: string): void {
    const entry = this.outbox.get(id);
    if (!entry || this.machine !== 'connected') return;
    this.sendChatEntry(entry);
    this.emit('outbox', this.outbox.list());
  }

  teleread(): void {
    this.assertOpen();
    this.setReading(true);
    if (this.machine === 'connected') this.send(this.telereadFrame());
  }

  stopReading(): void {
    this.setReading(false);
    if (this.machine === 'connected') this.send({ action: 'stop' });
  }

  /** Asks for everyone in a room (the default one unless named): the `who` event comes once every page of the answer has. */
  requestWho(room: string = DEFAULT_ROOM): void {
    this.chatRooms.requestWho(room);
  }

  // --- the connection machine -------------------------------------------------------------------------

  /** Moves the machine; false (and nothing changes) when the table has no such transition. */
  private fire(event: ConnectionEvent, detail?: string, retryInMs?: number): boolean {
    const from = this.machine;
    const to = nextState(from, event);
    if (to === undefined) return false;
    this.machine = to;
    this.emit('state', { from, event, to });
    const status = this.statusOf(to);
    if (status !== undefined)
      this.setStatus({ status, ...(detail ? { detail } : {}), ...(retryInMs !== undefined ? { retryInMs } : {}) });
    return true;
  }

  /** The status a page shows for a state; undefined keeps the current one (a diagnosis is still trying). */
  private statusOf(state: ConnectionState): ConnectionStatus | undefined {
    switch (state) {
      case 'idle':
      case 'closed':
        return 'disconnected';
      case 'connected':
        return 'connected';
      case 'backoff':
        return this.everConnected ? 'reconnecting' : 'error';
      case 'connecting':
        return this.everConnected ? 'reconnecting' : this.attempt > 0 ? 'error' : 'connecting';
      case 'handshaking':
      case 'diagnosing':
        return undefined;
    }
  }

  private open(): void {
    const generation = ++this.generation;
    const provider = this.options.token;
    if (!provider) return this.openSocket(generation, undefined);
    const reason = this.tokenReason;
    this.tokenReason = 'reconnect';
    const ready = this.prefetchedToken;
    this.prefetchedToken = undefined;
    if (ready !== undefined) return this.openSocket(generation, ready);
    askToken(provider, reason).then(
      (token) => {
        if (generation === this.generation && this.machine === 'connecting') this.openSocket(generation, token);
      },
      (error: unknown) => {
        if (generation !== this.generation || this.machine !== 'connecting') return;
        this.tokenReason = reason;
        this.emit('tokenError', { reason, error });
        this.scheduleRetry('token-failed', `Could not get a sign-in token (${describe(error)}).`);
      },
    );
  }

  private openSocket(generation: number, signInToken: string | undefined): void {
    const handshake = this.diagnosis.next(this.token, this.name);
    this.handshake = handshake;
    this.signInToken = signInToken;
    const inProtocol = signInToken !== undefined && this.options.tokenTransport === 'subprotocol';
    const url = handshakeUrl(this.url, {
      token: inProtocol ? undefined : (signInToken ?? handshake.token),
      name: handshake.name,
    });
    this.socket = this.createSocket(
      url,
      {
        onOpen: () => {
          if (generation !== this.generation || !this.fire('socket-open')) return;
          this.diagnosis.opened(handshake);
          this.sayHello(1);
        },
        onMessage: (data) => {
          if (generation === this.generation) this.onData(data);
        },
        onClose: (code, reason) => {
          if (generation === this.generation) this.onSocketClosed(handshake, code, reason);
        },
      },
      inProtocol && signInToken !== undefined ? [SIGN_IN_SUBPROTOCOL, signInToken] : undefined,
    );
  }

  /** A lost `session` reply would leave the client waiting forever; `hello` is safe to repeat. */
  private sayHello(attempt: number): void {
    this.send({ action: 'hello' });
    this.startTimer('hello', this.options.helloTimeoutMs ?? 5000, () => {
      if (this.machine !== 'handshaking') return;
      if (attempt < 3) this.sayHello(attempt + 1);
      else this.loseSocket('no session after hello');
    });
  }

  private onSocketClosed(handshake: Handshake, code: number, reason: string): void {
    const opened = this.machine === 'handshaking' || this.machine === 'connected';
    this.socket = undefined;
    this.generation++;
    this.afterSocketGone();
    if (opened)
      return this.scheduleRetry('socket-lost', `Connection lost (code ${code}${reason ? `: ${reason}` : ''}).`);
    // Refused before opening: if it was the sign-in token, the provider is told so it does not hand it back.
    if (this.options.token) this.tokenReason = 'refused';
    if (handshake.token !== undefined || handshake.name !== undefined || handshake.withoutToken) {
      if (this.fire('handshake-refused')) void this.diagnoseRefusal(handshake);
      return;
    }
    this.scheduleRetry('handshake-failed', 'Could not connect.');
  }

  /** A handshake failed before opening: is the server there at all, and if so, what to leave out next. */
  private async diagnoseRefusal(handshake: Handshake): Promise<void> {
    const generation = this.generation;
    const token = this.token;
    const reachable = this.options.probe ? await this.options.probe(httpUrlOf(this.url)).catch(() => false) : true;
    if (this.machine !== 'diagnosing' || generation !== this.generation) return;
    if (!reachable) return this.scheduleRetry('retry-later', 'The server cannot be reached.');
    // Reset identity while the probe ran: the token in question is gone, so the next try answers itself.
    if (this.token !== token) return this.scheduleRetry('retry-later', 'Could not connect.');
    if (this.diagnosis.refused(handshake) === 'now') {
      if (this.fire('retry-now')) this.open();
      return;
    }
    this.scheduleRetry('retry-later', 'The server refused the connection.');
  }

  private scheduleRetry(
    event: 'socket-lost' | 'handshake-failed' | 'retry-later' | 'token-failed',
    detail: string,
  ): void {
    const delay = backoffDelay(this.attempt++, this.random, this.options.backoff ?? DEFAULT_BACKOFF);
    if (!this.fire(event, detail, delay)) return;
    this.startTimer('retry', delay, () => {
      if (this.fire('retry-timer')) this.open();
    });
  }

  /** Gives up on a socket that seems dead (or that the server disowned) and reconnects without waiting for its close. */
  private loseSocket(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    this.generation++;
    socket.close(4000, reason);
    this.afterSocketGone();
    this.scheduleRetry('socket-lost', `Connection lost (${reason}).`);
  }

  /** A fresh connection at once, before API Gateway's 2-hour cut: everything resumes on it. */
  private renew(): void {
    if (!this.fire('renew')) return;
    this.dropSocket();
    this.open();
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.generation++;
    if (socket) socket.close(1000, 'client closed');
    this.afterSocketGone();
  }

  private afterSocketGone(): void {
    this.refusals.newConnection();
    this.heartbeat.stop();
    this.stopTimer('hello');
    this.stopTimer('renew');
    this.stopTimer('publishRetry');
    this.stopTimer('chatRetry');
    this.stopTimer('whoRetry');
    this.stopTimer('joinRetry');
    this.stopTimer('tokenRefresh');
    this.topicStreams.disconnected();
    this.chatRooms.disconnected();
    this.publishes.requeueAll();
    if (this.outbox.size > 0) {
      this.outbox.requeueAll();
      this.emit('outbox', this.outbox.list());
    }
  }

  // --- frames from the server --------------------------------------------------------------------------

  private onData(data: unknown): void {
    const parsed = parseServerFrame(data);
    switch (parsed.kind) {
      case 'frame':
        return this.dispatch(parsed.frame);
      case 'gateway-error':
        return this.onGatewayError(parsed.frame);
      case 'malformed':
        return this.emit('malformedFrame', { reason: parsed.reason, data });
      case 'unknown':
        return; // a newer server's frame: nothing this client knows to do with it
    }
  }

  private dispatch(frame: ServerFrame): void {
    this.emit('frame', frame);
    switch (frame.type) {
      case 'session':
        return this.onSession(frame);
      case 'pong':
        return this.heartbeat.onPong();
      case 'subscribed':
        this.topicStreams.onSubscribed(frame);
        return this.emit('subscribed', frame);
      case 'message':
        return this.topicStreams.onMessage(frame);
      case 'skipped':
        return this.topicStreams.onSkipped(frame);
      case 'ack':
        this.settlePublish(this.publishes.ack(frame.id, frame.seq));
        return this.emit('ack', frame);
      case 'chat':
        return this.onChat(frame);
      case 'history':
        for (const message of frame.messages) this.confirmChat(message);
        this.chatRooms.onHistory(frame);
        this.emit('history', frame);
        return this.emit('outbox', this.outbox.list());
      case 'who':
        return this.chatRooms.onWho(frame);
      case 'presence':
        return this.chatRooms.onPresence(frame);
      case 'joined':
        return this.chatRooms.onJoined(frame);
      case 'left':
        return this.emit('left', frame);
      case 'direct':
        return this.emit('direct', frame);
      case 'feed':
        return this.emit('feed', { update: this.feed.apply(frame), buffer: this.feed });
      case 'feed-end':
        this.feed.total = frame.total;
        this.setReading(false);
        return this.emit('feedEnd', this.feed);
      case 'feed-stopped':
        return this.setReading(false);
      case 'error':
        return this.onError(frame);
      case 'unsubscribed':
        return;
    }
  }

  private onSession(frame: SessionFrame): void {
    const handshaking = this.machine === 'handshaking';
    if (
      handshaking &&
      this.handshake?.withoutToken &&
      this.diagnosis.tokenlessSucceeded(this.handshake) === 'confirm'
    ) {
      // Not adopted yet: this session is dropped unused (the server forgets it by TTL) and the token tried again.
      return this.renew();
    }
    const previous = this.currentSession;
    const newIdentity = previous === undefined || previous.userId !== frame.userId;
    // A late answer to a repeated hello on this connection: nothing changed, nothing to restart.
    if (!handshaking && !newIdentity) {
      this.currentSession = frame;
      return this.saveToken(frame.token);
    }
    const isReset = !handshaking;
    if (!this.fire('session')) return;
    this.currentSession = frame;
    this.saveToken(frame.token);
    if (!isReset) this.learnFromHandshake();
    if (newIdentity || isReset) {
      this.feed.resetAt(frame.cursor, frame.total);
      if (isReset || !frame.resumed) this.setReading(false);
    } else {
      this.feed.onSession(frame.cursor, frame.total);
    }
    this.stopTimer('hello');
    this.everConnected = true;
    this.attempt = 0;
    this.emit('session', { frame, newIdentity });
    if (isReset) return;
    this.heartbeat.start();
    const maxConnectionMs = this.options.maxConnectionMs ?? GATEWAY.maxConnectionMs - 10 * 60_000;
    if (maxConnectionMs > 0) this.startTimer('renew', maxConnectionMs, () => this.renew());
    this.planTokenRefresh();
    this.resume();
  }

  private saveToken(token: string): void {
    if (this.options.token) return;
    this.token = token;
    this.options.tokenStore?.save(this.url, token);
  }

  /** After (re)connecting: restore subscriptions without gaps, the reading, and everything queued. */
  private resume(): void {
    for (const topic of this.topicStreams.topics) this.send(this.topicStreams.subscribeFrame(topic));
    if (this.isReading) this.send(this.telereadFrame());
    for (const id of this.publishes.ids()) this.sendPublish(id);
    // The server joins the default room at connect; the other rooms are joined again, one at a time.
    this.chatRooms.resume();
    this.emit('outbox', this.outbox.list());
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
   * API Gateway's own error frame does not say which request failed, so nothing waiting may hang on it:
   * publishes on the wire are sent once more (see {@link RefusalPolicy}); chat messages on the wire are
   * marked failed, to be retried by hand or on reconnect.
   */
  private onGatewayError(frame: GatewayErrorFrame): void {
    // Before the session only `hello` is on the wire (and is asked again); queued publishes were not sent yet.
    const decision = this.refusals.onGatewayError(this.machine === 'connected' ? this.publishes.inFlight() : []);
    const chats = this.outbox.failSent();
    if (this.machine === 'connected') this.chatRooms.onGatewayError();
    this.emit('gatewayError', frame);
    for (const id of decision.resendNow) this.sendPublish(id);
    for (const id of decision.fail) this.failMessage('publish', id, { kind: 'gateway', message: frame.message });
    if (chats.length > 0) this.emit('outbox', this.outbox.list());
  }

  private onChat(frame: ChatFrame): void {
    // A large room's chat comes through parallel fan-out workers: a retried one may deliver a message twice.
    if (!this.chatRooms.firstTimeChat(frame.room, frame.seq)) return;
    const mine = this.confirmChat(frame);
    const own = mine || frame.from.userId === this.currentSession?.userId;
    this.emit('chat', { frame, own });
    if (mine) this.emit('outbox', this.outbox.list());
  }

  /** The server has a chat message: if it was ours, its outcome is known. */
  private confirmChat(frame: ChatFrame): boolean {
    if (!this.outbox.confirm(frame)) return false;
    this.refusals.stored('chat', frame.id);
    this.emit('chatOutcome', { id: frame.id, status: 'acked', seq: frame.seq });
    return true;
  }

  /**
   * `unauthorized` means the connection's records are gone: reconnect, and everything waiting is sent
   * again there. A refused publish or chat message is handled by the {@link RefusalPolicy}.
   */
  private onError(frame: ErrorFrame): void {
    this.emit('error', frame);
    this.chatRooms.onError(frame);
    if (frame.code === 'unauthorized') return this.loseSocket('the server no longer knows this connection');
    if (frame.code === 'token_expired') return this.onTokenExpired();
    const kind: MessageKind | undefined =
      frame.action === 'publish'
        ? 'publish'
        : frame.action !== undefined && CHAT_ACTIONS.has(frame.action)
          ? 'chat'
          : undefined;
    if (!kind) return;
    const inFlight = this.inFlight(kind);
    if (inFlight.length === 0) return;
    const decision = this.refusals.onError(kind, frame.code, inFlight);
    for (const id of decision.fail)
      this.failMessage(kind, id, { kind: 'server', code: frame.code, message: frame.message });
    for (const id of decision.resendNow) this.resend(kind, id);
    const timer = kind === 'publish' ? 'publishRetry' : 'chatRetry';
    if (decision.resendAfterMs === undefined || this.timers.has(timer)) return;
    this.startTimer(timer, decision.resendAfterMs, () => {
      if (this.machine === 'connected') for (const id of this.inFlight(kind)) this.resend(kind, id);
    });
  }

  private inFlight(kind: MessageKind): string[] {
    return kind === 'publish' ? this.publishes.inFlight() : this.outbox.sent().map((entry) => entry.id);
  }

  private resend(kind: MessageKind, id: string): void {
    if (kind === 'publish') return this.sendPublish(id);
    const entry = this.outbox.get(id);
    if (entry) this.sendChatEntry(entry);
  }

  private failMessage(kind: MessageKind, id: string, error: PublishFailure): void {
    this.refusals.forget(id);
    if (kind === 'publish') return this.settlePublish(this.publishes.fail(id, error));
    if (!this.outbox.remove(id)) return;
    this.emit('chatOutcome', { id, status: 'failed', error });
    this.emit('outbox', this.outbox.list());
  }

  private settlePublish(outcome: PublishOutcome | undefined): void {
    if (!outcome) return;
    if (outcome.status === 'acked') this.refusals.stored('publish', outcome.id);
    this.emit('publishOutcome', outcome);
  }

  // --- the sign-in token ------------------------------------------------------------------------------

  /**
   * Fetches a fresh token before the current one expires (`tokenRefreshMarginMs` before its `exp`, or half-way
   * for a token shorter than twice that) and renews the connection on it, so the server never has to end it.
   */
  private planTokenRefresh(): void {
    const expiry = this.signInToken === undefined ? undefined : jwtExpiry(this.signInToken);
    if (expiry === undefined) return;
    const left = expiry - this.scheduler.now();
    const margin = this.options.tokenRefreshMarginMs ?? 60_000;
    this.startTimer('tokenRefresh', Math.max(left - margin, left / 2, 0), () => this.refreshToken(expiry));
  }

  private refreshToken(expiry: number): void {
    const provider = this.options.token;
    if (!provider) return;
    const generation = this.generation;
    const retryLater = () => {
      const left = expiry - this.scheduler.now();
      this.startTimer('tokenRefresh', Math.max(5000, left / 2), () => this.refreshToken(expiry));
    };
    askToken(provider, 'refresh').then(
      (token) => {
        // A handshake since then asked for a token of its own.
        if (generation !== this.generation || this.machine !== 'connected') return;
        const next = jwtExpiry(token);
        if (next !== undefined && next <= expiry) return retryLater();
        this.prefetchedToken = token;
        this.renew();
      },
      (error: unknown) => {
        if (generation !== this.generation || this.machine !== 'connected') return;
        this.emit('tokenError', { reason: 'refresh', error });
        retryLater();
      },
    );
  }

  /** The server ends a connection whose token expired: reconnect at once on a fresh one, keeping everything. */
  private onTokenExpired(): void {
    if (!this.options.token) return this.loseSocket('the sign-in token expired');
    this.tokenReason = 'expired';
    this.renew();
  }

  // --- frames to the server ----------------------------------------------------------------------------

  /**
   * Asks to resume after the text this client holds: the server's saved cursor counts frames API Gateway
   * accepted, which can run ahead of what reached a client whose connection died without a close frame.
   */
  private telereadFrame(): ClientFrame {
    // With no article length known (the server could not load it), the position is not the client's to give.
    return this.feed.total > 0 ? { action: 'teleread', cursor: this.feed.cursor } : { action: 'teleread' };
  }

  private sendPublish(id: string): void {
    const frame = this.publishes.frame(id);
    if (!frame) return;
    this.send(frame);
    this.publishes.markSent(id);
  }

  private sendChatEntry(entry: OutgoingChat): void {
    this.send({
      action: 'sendmessage',
      message: entry.text,
      id: entry.id,
      ...(entry.room !== DEFAULT_ROOM ? { room: entry.room } : {}),
    });
    this.outbox.markSent(entry.id);
  }

  private send(frame: ClientFrame): void {
    this.socket?.send(requireFrameSize(JSON.stringify(frame)));
  }

  // --- plumbing ----------------------------------------------------------------------------------------

  private setReading(reading: boolean): void {
    this.isReading = reading;
    this.emit('reading', reading);
  }

  private startTimer(name: TimerName, ms: number, callback: () => void): void {
    this.stopTimer(name);
    if (ms > MAX_TIMER_MS) {
      // Browsers and Node fire a longer timer after 1 ms: wait in parts, planning the rest from the clock.
      const at = this.scheduler.now() + ms;
      this.timers.set(
        name,
        this.scheduler.setTimeout(() => {
          this.timers.delete(name);
          this.startTimer(name, at - this.scheduler.now(), callback);
        }, MAX_TIMER_MS),
      );
      return;
    }
    this.timers.set(
      name,
      this.scheduler.setTimeout(() => {
        this.timers.delete(name);
        callback();
      }, ms),
    );
  }

  private stopTimer(name: TimerName): void {
    this.scheduler.clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  private stopAllTimers(): void {
    for (const name of [...this.timers.keys()]) this.stopTimer(name);
    this.heartbeat.stop();
  }

  private assertOpen(): void {
    if (this.machine === 'closed') throw new ClientClosedError();
  }

  private setStatus(change: StatusChange): void {
    this.currentStatus = change.status;
    this.emit('status', change);
  }

  private emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    this.events.emit(event, payload);
  }
}

/** Asks the provider, refusing anything but a non-empty string. */
async function askToken(provider: TokenProvider, reason: TokenReason): Promise<string> {
  const token: unknown = await provider({ reason });
  if (typeof token !== 'string' || token === '')
    throw new SwitchboardClientError('token', 'The token provider returned no token.');
  return token;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
