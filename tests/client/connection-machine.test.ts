import { allTransitions, type ConnectionEvent, type ConnectionState, nextState } from '@switchboard/client';
import { flush, session, setup, URL_ } from './support/harness';

type Harness = ReturnType<typeof setup>;

/** A client brought into a state by what a real one would see: calls, socket callbacks, timers. */
type Arrange = (h: Harness) => Promise<void> | void;
/** The stimulus that makes the client fire one event. */
type Act = (h: Harness) => Promise<void> | void;

/** Never settles: holds a client in `diagnosing` while the test acts. */
const pendingProbe = () => new Promise<boolean>(() => undefined);

const STATES: Record<
  Exclude<ConnectionState, 'closed'>,
  { options?: Parameters<typeof setup>[0]; arrange: Arrange }
> = {
  idle: { arrange: () => undefined },
  connecting: { arrange: (h) => h.client.connect(URL_) },
  handshaking: {
    arrange: (h) => {
      h.client.connect(URL_);
      h.last().open();
    },
  },
  connected: {
    arrange: (h) => {
      h.client.connect(URL_);
      h.establish();
    },
  },
  diagnosing: {
    options: { probe: pendingProbe },
    arrange: (h) => {
      h.tokenStore.save(URL_, 'stored-token');
      h.client.connect(URL_);
      h.last().drop(); // closed before opening, carrying a token: was it refused?
    },
  },
  backoff: {
    arrange: (h) => {
      h.client.connect(URL_);
      h.last().drop(); // closed before opening, carrying nothing to suspect: the server is not there
    },
  },
};

/** How each event is caused, in any state where the table has it. */
const EVENTS: Record<ConnectionEvent, Act> = {
  connect: (h) => h.client.connect(URL_),
  'socket-open': (h) => h.last().open(),
  session: (h) => {
    // In `handshaking` the answer to hello; in `connected` the answer to a reset (a new user).
    h.last().receive(session(h.client.state === 'connected' ? { userId: 'u2', token: 't2' } : {}));
  },
  'socket-lost': (h) => h.last().drop(),
  'handshake-failed': (h) => h.last().drop(),
  'handshake-refused': (h) => {
    h.tokenStore.save(URL_, 'stored-token');
    h.client.connect(URL_); // again, now with a token to suspect
    h.last().drop();
  },
  'token-failed': () => undefined, // arranged per case below: it needs a token provider
  'retry-now': () => undefined, // arranged per case below: it needs a diagnosis that answers
  'retry-later': () => undefined,
  'retry-timer': (h) => h.scheduler.advance(30_000),
  renew: (h) => h.client.setName('Ada'),
  disconnect: (h) => h.client.disconnect(),
  close: (h) => h.client.close(),
};

/** Transitions whose stimulus needs more than the state and the event. */
const SPECIAL: Partial<Record<string, { options?: Parameters<typeof setup>[0]; arrange: Arrange; act: Act }>> = {
  'connecting handshake-refused': {
    arrange: (h) => {
      h.tokenStore.save(URL_, 'stored-token');
      h.client.connect(URL_);
    },
    act: (h) => h.last().drop(),
  },
  'connecting token-failed': {
    // The token provider fails: the attempt waits out the backoff like a failed handshake.
    options: { token: () => Promise.reject(new Error('identity provider down')) },
    arrange: (h) => h.client.connect(URL_),
    act: async () => {
      await flush();
    },
  },
  'diagnosing retry-now': {
    // A new name that no handshake has carried yet is the first suspect: try at once without it.
    options: { probe: async () => true },
    arrange: async (h) => {
      h.client.connect(URL_);
      h.establish();
      h.client.setName('Ada');
      h.last().drop();
    },
    act: async () => {
      await flush();
    },
  },
  'diagnosing retry-later': {
    options: { probe: async () => true },
    arrange: (h) => {
      h.tokenStore.save(URL_, 'stored-token');
      h.client.connect(URL_);
      h.last().drop();
    },
    act: async () => {
      await flush();
    },
  },
  'connected renew': {
    // The planned reconnect before API Gateway's 2-hour limit.
    options: { maxConnectionMs: 60_000, heartbeatMs: 10 * 60_000 },
    arrange: (h) => {
      h.client.connect(URL_);
      h.establish();
    },
    act: (h) => h.scheduler.advance(60_000),
  },
};

describe('the connection state machine', () => {
  const cases = allTransitions().map(([from, event, to]) => ({ from, event, to, key: `${from} ${event}` }));

  it('has a transition for every state but closed, and closed is final', () => {
    expect(new Set(cases.map((c) => c.from))).toEqual(
      new Set(['idle', 'connecting', 'handshaking', 'connected', 'diagnosing', 'backoff']),
    );
    expect(cases.filter((c) => c.from === 'closed')).toEqual([]);
    expect(cases.filter((c) => c.event === 'close').map((c) => c.to)).toEqual(
      cases.filter((c) => c.event === 'close').map(() => 'closed'),
    );
  });

  it('ignores an event the table does not have (a late timer, a stale socket)', () => {
    expect(nextState('idle', 'socket-open')).toBeUndefined();
    expect(nextState('closed', 'connect')).toBeUndefined();
  });

  it.each(cases)('$from --$event--> $to, in virtual time', async ({ from, event, to, key }) => {
    if (from === 'closed') throw new Error('closed has no transitions');
    const special = SPECIAL[key];
    const h = setup(special?.options ?? STATES[from].options ?? {});
    const seen: Array<{ from: ConnectionState; event: ConnectionEvent; to: ConnectionState }> = [];
    await (special?.arrange ?? STATES[from].arrange)(h);
    expect(h.client.state).toBe(from);
    h.client.on('state', (transition) => seen.push(transition));

    await (special?.act ?? EVENTS[event])(h);

    expect(seen[0]).toEqual({ from, event, to });
    expect(h.client.state).toBe(seen.at(-1)?.to);
  });

  it('reaches backoff from handshaking when no session comes after three hellos', () => {
    const h = setup({ helloTimeoutMs: 100 });
    h.client.connect(URL_);
    h.last().open();
    h.scheduler.advance(299);
    expect(h.client.state).toBe('handshaking');
    expect(h.last().actions()).toEqual(['hello', 'hello', 'hello']);
    h.scheduler.advance(1);
    expect(h.client.state).toBe('backoff');
  });

  it('reaches backoff from connected when no pong comes back', () => {
    const h = setup({ heartbeatMs: 1000, pongTimeoutMs: 500 });
    h.client.connect(URL_);
    h.establish();
    h.scheduler.advance(1499);
    expect(h.client.state).toBe('connected');
    h.scheduler.advance(1);
    expect(h.client.state).toBe('backoff');
  });

  it('stops every timer on close: nothing fires, nothing opens, however long one waits', () => {
    const h = setup({ maxConnectionMs: 60_000 });
    h.client.connect(URL_, { autoDisconnectMs: 5000 });
    h.establish();
    h.client.publish('news', 'waiting');
    h.client.close();
    expect(h.scheduler.pending()).toBe(0);
    h.scheduler.advance(24 * 60 * 60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.last().closed).toEqual({ code: 1000 });
  });
});
