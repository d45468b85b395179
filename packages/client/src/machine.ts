/**
 * The connection's states and every transition between them, in one table. The client fires events; a
 * pair that is not in the table is ignored (a late timer or a stale socket's callback). Each transition
 * is tested in tests/client/connection-machine.test.ts.
 *
 * - `idle`: not connected and not trying (before `connect`, after `disconnect`).
 * - `connecting`: a socket is opening (after the token provider, if any, has given a token).
 * - `handshaking`: the socket is open; `hello` sent, waiting for `session`.
 * - `connected`: a session; subscriptions are restored and queued frames sent.
 * - `diagnosing`: a handshake was closed before it opened; checking whether the server is reachable and
 *   what to leave out of the next handshake (see handshake-diagnosis.ts).
 * - `backoff`: waiting out the reconnect delay.
 * - `closed`: `close()` or the AbortSignal; final, every timer and socket stopped.
 */
export type ConnectionState = 'idle' | 'connecting' | 'handshaking' | 'connected' | 'diagnosing' | 'backoff' | 'closed';

export type ConnectionEvent =
  /** The application asked to connect (or to connect again at once, to another URL). */
  | 'connect'
  | 'socket-open'
  | 'session'
  /** An open socket closed, or was given up on (no pong, no session, `unauthorized`). */
  | 'socket-lost'
  /** The socket closed before opening, and there is nothing to diagnose: the server is not there. */
  | 'handshake-failed'
  /** The socket closed before opening, and the handshake carried something the server may refuse. */
  | 'handshake-refused'
  /** The token provider threw or gave no token: wait out the backoff. */
  | 'token-failed'
  /** The diagnosis says: try again at once (with something left out). */
  | 'retry-now'
  /** The diagnosis says: wait out the backoff. */
  | 'retry-later'
  | 'retry-timer'
  /** A new socket at once, keeping everything: a new display name, a planned reconnect before API Gateway's 2-hour limit, an identity reset before the session. */
  | 'renew'
  | 'disconnect'
  | 'close';

type Table = { readonly [S in ConnectionState]: { readonly [E in ConnectionEvent]?: ConnectionState } };

export const TRANSITIONS: Table = {
  idle: { connect: 'connecting', close: 'closed' },
  connecting: {
    connect: 'connecting',
    'socket-open': 'handshaking',
    'handshake-failed': 'backoff',
    'handshake-refused': 'diagnosing',
    'token-failed': 'backoff',
    renew: 'connecting',
    disconnect: 'idle',
    close: 'closed',
  },
  handshaking: {
    connect: 'connecting',
    session: 'connected',
    'socket-lost': 'backoff',
    renew: 'connecting',
    disconnect: 'idle',
    close: 'closed',
  },
  connected: {
    connect: 'connecting',
    session: 'connected',
    'socket-lost': 'backoff',
    renew: 'connecting',
    disconnect: 'idle',
    close: 'closed',
  },
  diagnosing: {
    connect: 'connecting',
    'retry-now': 'connecting',
    'retry-later': 'backoff',
    renew: 'connecting',
    disconnect: 'idle',
    close: 'closed',
  },
  backoff: {
    connect: 'connecting',
    'retry-timer': 'connecting',
    renew: 'connecting',
    disconnect: 'idle',
    close: 'closed',
  },
  closed: {},
};

/** The state after `event` in `state`, or undefined when the table has no such transition. */
export function nextState(state: ConnectionState, event: ConnectionEvent): ConnectionState | undefined {
  return TRANSITIONS[state][event];
}

/** Every transition in the table, as `[from, event, to]`. */
export function allTransitions(): Array<[ConnectionState, ConnectionEvent, ConnectionState]> {
  return (Object.keys(TRANSITIONS) as ConnectionState[]).flatMap((from) =>
    (Object.entries(TRANSITIONS[from]) as Array<[ConnectionEvent, ConnectionState]>).map(
      ([event, to]): [ConnectionState, ConnectionEvent, ConnectionState] => [from, event, to],
    ),
  );
}
