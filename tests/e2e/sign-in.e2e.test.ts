import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import WebSocket from 'ws';
import { type E2eStack, startE2eStack } from './support/e2e-stack';

/**
 * AuthMode=jwt end to end: the local gateway runs the template's REQUEST authorizer on `$connect`, with a
 * JWKS served on this machine, and real clients connect with tokens minted by jose.
 */
const AUDIENCE = 'switchboard-e2e';
let jwks: Server;
let issuer: string;
let signingKey: CryptoKey;
let foreignKey: CryptoKey;
let e2e: E2eStack;
const now = () => Math.floor(Date.now() / 1000);

function mint(claims: Record<string, unknown> = {}, { kid = 'e2e-key', key = signingKey, alg = 'RS256' } = {}) {
  const payload = { sub: 'alice', iss: issuer, aud: AUDIENCE, iat: now(), exp: now() + 600, name: 'Alice' };
  return new SignJWT({ ...payload, ...claims }).setProtectedHeader({ alg, kid }).sign(key);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('signing in with a JWT (AuthMode=jwt) through the local gateway', () => {
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    foreignKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'e2e-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    e2e = await startE2eStack({}, { AuthMode: 'jwt', JwtIssuer: issuer, JwtAudience: AUDIENCE });
  });
  afterAll(async () => {
    await e2e?.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('refuses every bad token with 401 at the handshake and writes nothing', async () => {
    const bad: Record<string, Promise<string> | string> = {
      expired: mint({ sub: 'expired', exp: now() - 60 }),
      'not yet valid': mint({ sub: 'early', nbf: now() + 600 }),
      'wrong issuer': mint({ sub: 'iss', iss: 'https://issuer.example.com' }),
      'wrong audience': mint({ sub: 'aud', aud: 'another-app' }),
      'bad signature': mint({ sub: 'sig' }, { key: foreignKey }),
      'unknown kid': mint({ sub: 'kid' }, { kid: 'no-such-key' }),
      'another user pool': mint(
        { sub: 'pool', iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' },
        { key: foreignKey, kid: 'other' },
      ),
      'alg none': `${base64url({ alg: 'none', kid: 'e2e-key' })}.${base64url({ sub: 'none', iss: issuer, aud: AUDIENCE, exp: now() + 600 })}.`,
    };

    const statuses: Record<string, unknown> = {};
    for (const [why, token] of Object.entries(bad)) {
      statuses[why] = await e2e.connect({ token: await token }).then(
        () => 'accepted',
        (error: { statusCode?: number }) => error.statusCode,
      );
    }

    expect(statuses).toEqual(Object.fromEntries(Object.keys(bad).map((why) => [why, 401])));
    await expect(e2e.connect({})).rejects.toMatchObject({ statusCode: 401 });
    for (const sub of ['expired', 'early', 'iss', 'aud', 'sig', 'kid', 'pool', 'none']) {
      expect(await e2e.partition(`USER#${sub}@jwt`)).toEqual([]);
    }
  });

  it('gives a signed-in user a session, chat and presence, the same user on every connection', async () => {
    const alice = await e2e.connect({ token: await mint() });
    const bob = await e2e.connect({ token: await mint({ sub: 'bob', name: 'Bob' }) });

    const session = await alice.session();
    alice.send({ action: 'sendmessage', message: 'hi from Alice' });
    const chat = await bob.next((frame) => frame.type === 'chat');
    const again = await e2e.connect({ token: await mint() });

    expect(session).toMatchObject({ userId: 'alice@jwt', resumed: false });
    expect(chat).toMatchObject({ message: 'hi from Alice', from: { userId: 'alice@jwt', name: 'Alice' } });
    await bob.next(
      (frame) => frame.type === 'presence' && JSON.stringify(frame.joined ?? []).includes('alice@jwt'),
      10_000,
    );
    expect(await again.session()).toMatchObject({ userId: 'alice@jwt', resumed: true });
  });

  it('takes the token from the subprotocols and accepts switchboard', async () => {
    const socket = new WebSocket(e2e.stack.wsUrl, ['switchboard', await mint({ sub: 'carol' })]);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });

    expect(socket.protocol).toBe('switchboard');
    socket.close();
  });

  it('refuses reset for a signed-in user', async () => {
    const alice = await e2e.connect({ token: await mint({ sub: 'dora' }) });

    const refused = await alice.request({ action: 'reset' }, (frame) => frame.type === 'error');

    expect(refused).toMatchObject({ code: 'forbidden', action: 'reset' });
    expect(await alice.session()).toMatchObject({ userId: 'dora@jwt' });
  });

  it('ends the connection when its token expires, with token_expired', async () => {
    const client = await e2e.connect({ token: await mint({ sub: 'erin', exp: now() + 3 }) });

    const frame = await client.next((f) => f.type === 'error', 15_000);

    expect(frame).toMatchObject({ code: 'token_expired' });
    await client.closed(5_000);
  });
});
