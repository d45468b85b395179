import type { AddressInfo } from 'node:net';
import {
  jwtExpiry,
  SignedInResetError,
  SwitchboardClient,
  type TokenReason,
  type WebSocketConstructor,
} from '@switchboard/client';
import WebSocket, { WebSocketServer } from 'ws';
import { type OidcIssuer, startOidcIssuer } from '../../scripts/local/oidc-issuer';
import { MAX_TIMER_MS } from './support/fakes';
import { setup, URL_ } from './support/harness';

// The client signed in with a token provider, against the real local OIDC issuer (real RS256 tokens with
// real `exp`s), on fake sockets in virtual time that starts at the wall clock.

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Long virtual waits without pongs to answer: the heartbeat is set out of the way. */
const NO_PINGS = { heartbeatMs: 60 * 60_000 };

const SESSION = {
  userId: 'alice@jwt',
  token: 'v1.unused',
  connectionId: 'c1',
  connectedAt: '2024-01-01T00:00:00.000Z',
  resumed: false,
  cursor: 0,
  total: 0,
};

const DAY_MS = 86_400_000;
/** Weeks of virtual time on one connection: no planned reconnect, and pings as far apart as a timer allows. */
const WEEKS_CONNECTED = { maxConnectionMs: 0, heartbeatMs: MAX_TIMER_MS, pongTimeoutMs: MAX_TIMER_MS };

/**
 * A JWT that expires at `expMs`, unsigned: the client reads `exp` without verifying (the server verifies),
 * and the local issuer mints at most a day, far short of a timer's 24.8-day limit.
 */
function longLivedToken(expMs: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', exp: Math.floor(expMs / 1000) })}.unsigned`;
}

const tokenOf = (url: string): string | null => new URL(url).searchParams.get('token');

describe('signing in with a token provider', () => {
  let issuer: OidcIssuer;

  beforeAll(async () => {
    issuer = await startOidcIssuer({ dataDir: null, port: 0 });
  });
  afterAll(async () => {
    await issuer.stop();
  });

  /** A provider that mints for alice, `ttl(call)` seconds each, and records why it was asked. */
  function provider(ttl: (call: number) => number = () => 3600) {
    const reasons: TokenReason[] = [];
    const tokens: string[] = [];
    const token = async ({ reason }: { reason: TokenReason }) => {
      reasons.push(reason);
      const minted = await issuer.mint({ sub: 'alice', name: 'Alice', expiresInSeconds: ttl(reasons.length) });
      tokens.push(minted.token);
      return minted.token;
    };
    return { token, reasons, tokens };
  }

  function signedIn(ttl?: (call: number) => number, options = {}) {
    const p = provider(ttl);
    const h = setup({ token: p.token, ...NO_PINGS, ...options }, { startAt: Date.now() });
    return { ...h, ...p };
  }

  it('reads exp from a real token without verifying it, and nothing from what is not a JWT', async () => {
    const { token } = await issuer.mint({ sub: 'alice', expiresInSeconds: 600 });
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number;

    expect(jwtExpiry(token)).toBe(exp * 1000);
    expect(jwtExpiry('v1.user.123.signature')).toBeUndefined();
    expect(jwtExpiry('a.b')).toBeUndefined();
    expect(jwtExpiry(`x.${Buffer.from('{"exp":"soon"}').toString('base64url')}.y`)).toBeUndefined();
    expect(jwtExpiry('')).toBeUndefined();
  });

  it("carries the provider's token on every handshake, asks again for each, and keeps no session token", async () => {
    const { client, sockets, last, establish, scheduler, tokenStore, reasons, tokens } = signedIn();
    client.connect(URL_, { name: 'Ada' });
    await until(() => sockets.length === 1, 'the first socket');
    establish({ token: 'v1.server-session-token' });

    last().drop();
    scheduler.advance(1000);
    await until(() => sockets.length === 2, 'the reconnect');

    expect(reasons).toEqual(['connect', 'reconnect']);
    expect(sockets.map((socket) => tokenOf(socket.url))).toEqual(tokens);
    expect(new URL(last().url).searchParams.get('name')).toBe('Ada');
    expect(tokenStore.tokens.size).toBe(0);
  });

  it('fetches a fresh token before exp and renews the connection on it, resuming topics and resending the outbox', async () => {
    // The first token lives 120 s: with the default 60 s margin it is refreshed at 60 s.
    const { client, sockets, establish, scheduler, reasons, tokens } = signedIn((call) => (call === 1 ? 120 : 3600));
    client.subscribe('news');
    client.connect(URL_);
    await until(() => sockets.length === 1, 'the first socket');
    const first = establish();
    first.receive({ type: 'subscribed', topic: 'news', seq: 0 });
    first.receive({ type: 'message', topic: 'news', message: 'one', seq: 1, from: null, sentAt: '' });
    const ticket = client.publish('news', 'waiting for its ack');
    const sentId = first.sent.find((frame) => frame.action === 'publish')?.id;

    scheduler.advance(59_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sockets).toHaveLength(1);
    scheduler.advance(1000);
    await until(() => sockets.length === 2, 'the renewed connection');
    const second = establish({ connectionId: 'c2' });

    expect(reasons).toEqual(['connect', 'refresh']);
    expect(first.closed?.code).toBe(1000);
    expect(tokenOf(second.url)).toBe(tokens[1]);
    expect(jwtExpiry(tokens[1] ?? '')).toBeGreaterThan(jwtExpiry(tokens[0] ?? '') ?? Infinity);
    expect(second.sent).toEqual(
      expect.arrayContaining([
        { action: 'subscribe', topic: 'news', since: 1 },
        expect.objectContaining({ action: 'publish', topic: 'news', id: sentId }),
      ]),
    );
    second.receive({ type: 'ack', id: String(sentId), topic: 'news', seq: 2 });
    await expect(ticket.outcome).resolves.toMatchObject({ status: 'acked', seq: 2 });
  });

  it('waits out a token that lives longer than a timer can wait (24.8 days) and refreshes it before its exp', async () => {
    const days = 40;
    const startAt = Date.now();
    const reasons: TokenReason[] = [];
    const h = setup(
      {
        token: ({ reason }) => {
          reasons.push(reason);
          return longLivedToken(startAt + (reasons.length === 1 ? days * DAY_MS : 2 * days * DAY_MS));
        },
        ...WEEKS_CONNECTED,
      },
      { startAt },
    );
    h.client.connect(URL_);
    await until(() => h.sockets.length === 1, 'the first socket');
    h.establish();

    h.scheduler.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reasons).toEqual(['connect']);
    h.scheduler.advance(days * DAY_MS - 62_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reasons).toEqual(['connect']);
    expect(h.sockets).toHaveLength(1);

    h.scheduler.advance(2000);
    await until(() => h.sockets.length === 2, 'the renewed connection');
    expect(reasons).toEqual(['connect', 'refresh']);
  });

  it('asks a provider that hands back the same long-lived token again only after a wait, not every millisecond', async () => {
    const startAt = Date.now();
    const same = longLivedToken(startAt + 100 * DAY_MS);
    const reasons: TokenReason[] = [];
    const h = setup(
      {
        token: ({ reason }) => {
          reasons.push(reason);
          return same;
        },
        ...WEEKS_CONNECTED,
        // Refresh half-way: 50 days before exp, so the retry would wait 25 days.
        tokenRefreshMarginMs: 99 * DAY_MS,
      },
      { startAt },
    );
    h.client.connect(URL_);
    await until(() => h.sockets.length === 1, 'the first socket');
    const socket = h.establish();
    h.scheduler.advance(25 * DAY_MS);
    socket.receive({ type: 'pong', at: new Date(h.scheduler.now()).toISOString() });
    h.scheduler.advance(25 * DAY_MS);
    await until(() => reasons.length === 2, 'the refresh');

    for (let i = 0; i < 20; i += 1) {
      h.scheduler.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
    }

    expect(reasons).toEqual(['connect', 'refresh']);
    expect(h.client.state).toBe('connected');
  });

  it('keeps the connection and asks again later when the provider hands back a token that expires no later', async () => {
    const same = await issuer.mint({ sub: 'alice', expiresInSeconds: 120 });
    const reasons: TokenReason[] = [];
    const h = setup(
      {
        token: ({ reason }) => {
          reasons.push(reason);
          return same.token;
        },
        ...NO_PINGS,
      },
      { startAt: Date.now() },
    );
    h.client.connect(URL_);
    await until(() => h.sockets.length === 1, 'the first socket');
    h.establish();

    h.scheduler.advance(60_000);
    await until(() => reasons.length === 2, 'the refresh');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.sockets).toHaveLength(1);
    expect(h.client.state).toBe('connected');

    h.scheduler.advance(30_000); // half the time left, at least 5 s
    await until(() => reasons.length === 3, 'the second refresh');
    expect(reasons).toEqual(['connect', 'refresh', 'refresh']);
    expect(h.sockets).toHaveLength(1);
  });

  it('reconnects at once on a fresh token when the server says the token expired', async () => {
    const { client, sockets, last, establish, reasons, tokens } = signedIn();
    const errors: string[] = [];
    client.on('error', (frame) => errors.push(frame.code));
    client.connect(URL_);
    await until(() => sockets.length === 1, 'the first socket');
    const first = establish();

    first.receive({ type: 'error', code: 'token_expired', message: 'The sign-in token expired.' });
    await until(() => sockets.length === 2, 'the reconnect');

    expect(errors).toEqual(['token_expired']);
    expect(reasons).toEqual(['connect', 'expired']);
    expect(first.closed?.code).toBe(1000);
    expect(tokenOf(last().url)).toBe(tokens[1]);
  });

  it('tells the provider a handshake was refused, so it can hand a new token rather than the same', async () => {
    const { client, sockets, last, scheduler, reasons } = signedIn();
    client.connect(URL_);
    await until(() => sockets.length === 1, 'the first socket');

    last().drop(); // closed before opening: a 401 as a browser sees it
    scheduler.advance(1000);
    await until(() => sockets.length === 2, 'the retry');

    expect(reasons).toEqual(['connect', 'refused']);
  });

  it('reports a provider that fails and tries again after the backoff', async () => {
    let calls = 0;
    const tokenErrors: Array<{ reason: TokenReason; message: string }> = [];
    const h = setup({
      token: async () => {
        calls++;
        if (calls === 1) throw new Error('identity provider down');
        return (await issuer.mint({ sub: 'alice' })).token;
      },
    });
    h.client.on('tokenError', ({ reason, error }) => tokenErrors.push({ reason, message: (error as Error).message }));
    h.client.connect(URL_);
    await until(() => h.client.state === 'backoff', 'the backoff');

    expect(h.sockets).toHaveLength(0);
    expect(tokenErrors).toEqual([{ reason: 'connect', message: 'identity provider down' }]);
    expect(h.statuses.at(-1)).toBe('error');

    h.scheduler.advance(1000);
    await until(() => h.sockets.length === 1, 'the retry');
    expect(tokenOf(h.last().url)).toMatch(/^ey/);
  });

  it('refuses a provider answer that is not a token', async () => {
    const h = setup({ token: () => '' });
    const tokenErrors: unknown[] = [];
    h.client.on('tokenError', ({ error }) => tokenErrors.push(error));
    h.client.connect(URL_);
    await until(() => h.client.state === 'backoff', 'the backoff');

    expect(h.sockets).toHaveLength(0);
    expect(tokenErrors).toEqual([expect.objectContaining({ rule: 'token' })]);
  });

  it('drops a token that comes after the client was disconnected', async () => {
    let release: (token: string) => void = () => undefined;
    const h = setup({ token: () => new Promise<string>((resolve) => (release = resolve)) });
    h.client.connect(URL_);
    h.client.disconnect();
    release((await issuer.mint({ sub: 'alice' })).token);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(h.sockets).toHaveLength(0);
    expect(h.client.state).toBe('idle');
  });

  it('refuses to reset the identity of a signed-in user', async () => {
    const { client, sockets, establish } = signedIn();
    client.connect(URL_);
    await until(() => sockets.length === 1, 'the first socket');
    const socket = establish();

    expect(() => client.resetIdentity()).toThrow(SignedInResetError);
    expect(socket.actions()).not.toContain('reset');
  });

  it('without a provider, ends a connection the server says expired and reconnects after the backoff', () => {
    const h = setup();
    h.client.connect(URL_);
    const socket = h.establish();
    socket.receive({ type: 'error', code: 'token_expired', message: 'expired' });

    expect(socket.closed?.code).toBe(4000);
    expect(h.client.state).toBe('backoff');
  });

  it('offers the token as a subprotocol after switchboard, keeping it out of the URL, with tokenTransport subprotocol', async () => {
    // A real `ws` server that accepts `switchboard` as the server does in jwt mode, and records the handshake.
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'switchboard' });
    const seen: Array<{ url: string; protocols: string[] }> = [];
    server.on('connection', (socket, request) => {
      const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      seen.push({ url: request.url ?? '', protocols: offered });
      socket.on('message', () => socket.send(JSON.stringify({ type: 'session', ...SESSION })));
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const { token } = await issuer.mint({ sub: 'alice' });
    const client = new SwitchboardClient({
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      token: () => token,
      tokenTransport: 'subprotocol',
      chat: false,
    });
    try {
      client.connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { name: 'Ada' });
      await until(() => client.state === 'connected', 'the session');

      expect(seen).toEqual([{ url: '/?name=Ada', protocols: ['switchboard', token] }]);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
