import { SwitchboardClient, type SwitchboardClientOptions, type TokenReason } from '@switchboard/client';
import { type SwitchboardStack as LocalStack, startSwitchboardStack } from '../../scripts/local/switchboard-stack';
import { testStackOptions } from '../e2e/support/e2e-stack';
import { publishOverHttp, RAISED_RATES, recordingWebSocket, until } from './support/live-stack';

// The client signed in with JWTs from the local OIDC issuer, through the local gateway running the template's
// REQUEST authorizer (AuthMode=jwt), with real sockets, real handlers and the embedded DynamoDB.

const FAST: Partial<SwitchboardClientOptions> = { backoff: { baseMs: 20, maxMs: 200, factor: 2 }, chat: false };

describe('a signed-in client against the local stack', () => {
  let stack: LocalStack;
  const clients: SwitchboardClient[] = [];

  beforeAll(async () => {
    stack = await startSwitchboardStack({ ...testStackOptions(RAISED_RATES), auth: 'jwt', issuerPort: 0 });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** A client whose provider mints for `sub`, `ttl(call)` seconds each, recording why it was asked. */
  function signedInClient(sub: string, ttl: (call: number) => number, options: Partial<SwitchboardClientOptions> = {}) {
    const reasons: TokenReason[] = [];
    const client = new SwitchboardClient({
      WebSocket: recordingWebSocket().WebSocket,
      ...FAST,
      ...options,
      token: async ({ reason }) => {
        reasons.push(reason);
        const issuer = stack.issuer;
        if (!issuer) throw new Error('no issuer');
        return (await issuer.mint({ sub, name: sub.toUpperCase(), expiresInSeconds: ttl(reasons.length) })).token;
      },
    });
    clients.push(client);
    return { client, reasons };
  }

  it('is the token’s user, and comes back as the same one on a new connection', async () => {
    const { client } = signedInClient('alice', () => 3600);
    client.connect(stack.wsUrl);
    await until(() => client.state === 'connected', 10_000, 'the session');
    const first = client.session;

    const { client: again } = signedInClient('alice', () => 3600);
    again.connect(stack.wsUrl);
    await until(() => again.state === 'connected', 10_000, 'the second session');

    expect(first?.userId).toBe('alice@jwt');
    expect(again.session?.userId).toBe(first?.userId);
    expect(again.session?.connectionId).not.toBe(first?.connectionId);
  });

  it('renews on a fresh token before exp and hands every message of a topic over once, in order', async () => {
    const topic = `signed-in.refresh.${Date.now()}`;
    // 6-second tokens are refreshed half-way: several renewals while the messages flow.
    const { client, reasons } = signedInClient('bob', () => 6);
    const seen: number[] = [];
    client.on('topicMessage', (frame) => seen.push(frame.seq));
    client.subscribe(topic, { since: 0 });
    client.connect(stack.wsUrl);
    await until(() => client.topicStatus(topic) === 'live', 10_000, 'the subscription');

    const total = 60;
    for (let n = 1; n <= total; n++) {
      await publishOverHttp(stack, topic, n);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await until(
      () => seen.length === total,
      20_000,
      () => `all messages (have ${seen.length})`,
    );

    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(reasons.filter((reason) => reason === 'refresh').length).toBeGreaterThanOrEqual(2);
  });

  it('reconnects at once with a fresh token when the server ends a connection whose token expired', async () => {
    // The provider hands back tokens that expire no later than the current one, so the client keeps the
    // connection until the server ends it at exp (token_expired); the next token is a long one.
    let fixed: string | undefined;
    const reasons: TokenReason[] = [];
    const errors: string[] = [];
    const client = new SwitchboardClient({
      WebSocket: recordingWebSocket().WebSocket,
      ...FAST,
      token: async ({ reason }) => {
        reasons.push(reason);
        const issuer = stack.issuer;
        if (!issuer) throw new Error('no issuer');
        if (reason === 'expired' || reason === 'reconnect')
          return (await issuer.mint({ sub: 'carol', expiresInSeconds: 3600 })).token;
        fixed ??= (await issuer.mint({ sub: 'carol', expiresInSeconds: 4 })).token;
        return fixed;
      },
    });
    clients.push(client);
    client.on('error', (frame) => errors.push(frame.code));
    client.connect(stack.wsUrl);
    await until(() => client.state === 'connected', 10_000, 'the session');
    const first = client.session?.connectionId;

    await until(() => errors.includes('token_expired'), 20_000, 'the expiry frame');
    await until(() => client.state === 'connected' && client.session?.connectionId !== first, 10_000, 'the reconnect');

    expect(reasons).toContain('expired');
    expect(client.session?.userId).toBe('carol@jwt');
  });
});
