import type { BackoffOptions } from './backoff.js';
import type { Scheduler } from './scheduler.js';
import type { SocketFactory, WebSocketConstructor } from './socket.js';
import type { TokenProvider, TokenTransport } from './token-provider.js';
import type { TokenStore } from './token-stores.js';

export interface SwitchboardClientOptions {
  /** A WebSocket constructor: on Node 20, `WebSocket` from the `ws` package. Default: the global one. */
  WebSocket?: WebSocketConstructor;
  /** Opens sockets; overrides `WebSocket` (tests hand in a fake). */
  createSocket?: SocketFactory;
  scheduler?: Scheduler;
  random?: () => number;
  newId?: () => string;
  /** Where the session token is kept between runs. Default: none (every run is a new user). */
  tokenStore?: TokenStore;
  /**
   * Signs in with a token from the application's identity provider (a server with `AuthMode=jwt`): asked
   * before every handshake, whose `token` it becomes. The client fetches a fresh one before the current one's
   * `exp` and renews the connection on it, and does the same when the server ends a connection for an
   * expired token (`token_expired`); subscriptions, the outbox and the feed resume as after any reconnect.
   * With it, `tokenStore` is not used (the provider's token is the identity) and `resetIdentity` throws.
   */
  token?: TokenProvider;
  /**
   * Where the token goes: `query` (default, `?token=`), or `subprotocol` (offered as `switchboard, <jwt>`,
   * so it stays out of URLs and logs; the server must accept `switchboard`, as Switchboard's does in `jwt` mode).
   */
  tokenTransport?: TokenTransport;
  /** How long before a sign-in token's `exp` a fresh one is fetched (default 60 s; half-way for shorter tokens). */
  tokenRefreshMarginMs?: number;
  backoff?: BackoffOptions;
  /** Ping interval, well inside API Gateway's 10-minute idle timeout (default 5 minutes). */
  heartbeatMs?: number;
  /** How long to wait for a pong before declaring the connection dead (default 20 s). */
  pongTimeoutMs?: number;
  /**
   * A connection is replaced by a new one after this long (default 1 h 50 min), before API Gateway cuts it
   * at 2 hours; the new one resumes everything, so nothing is lost. 0 never plans one.
   */
  maxConnectionMs?: number;
  /** Joins the chat room on connect (asks for history and who is here). Default true; a back end that only subscribes says false. */
  chat?: boolean;
  /** How many chat messages to ask for on join. */
  historyLimit?: number;
  /** First wait after `rate_limited`; it doubles while the server keeps refusing (default 1.5 s). */
  rateLimitRetryMs?: number;
  /** Sends of one publish or chat message that met `internal` before it is reported failed (default 5). */
  maxServerErrors?: number;
  /** How long to wait for `session` after `hello` before asking again (three times, then reconnect). */
  helloTimeoutMs?: number;
  /** How long a gap in a topic's seqs may stay open before a replay is asked for (default 1 s). */
  gapWaitMs?: number;
  /** How long a gap may stay open without progress after that replay before it is skipped (default 10 s). */
  gapGiveUpMs?: number;
  /**
   * Tells whether the server answers at all (any HTTP response). A browser shows a refused handshake (401
   * for a bad token) and an unreachable server alike, as a socket that closes before opening; this tells
   * them apart so a token is not thrown away just because the network was down. Absent: every failure
   * before open with a token counts as a refusal.
   */
  probe?: (httpUrl: string) => Promise<boolean>;
  /** Aborting it closes the client for good, as {@link SwitchboardClient.close} does. */
  signal?: AbortSignal;
}
