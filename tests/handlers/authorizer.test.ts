import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { AuthorizerResponse, RequestAuthorizerEvent } from '../../src/handlers/authorizer';
import { PROJECT_ROOT } from '../support/embedded-table';

/**
 * The `$connect` authorizer against real tokens: minted with jose, signed by keys a local issuer publishes
 * as a JWKS over http on the loopback interface, verified by the handler exactly as Lambda runs it.
 */
const AUDIENCE = 'switchboard-web';
const SAMPLE = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'events', 'authorizer-request.json'), 'utf8'),
) as RequestAuthorizerEvent;

interface Issuer {
  url: string;
  kid: string;
  privateKey: CryptoKey;
  jwksRequests: number;
  server: Server;
}

async function startIssuer(kid: string): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const issuer = { kid, privateKey, jwksRequests: 0 } as Issuer;
  issuer.server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') return void response.writeHead(404).end();
    issuer.jwksRequests += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}`;
  return issuer;
}

let issuer: Issuer;
let otherPool: Issuer;
let logger: Logger;
let lambdaHandler: (event: RequestAuthorizerEvent) => Promise<AuthorizerResponse>;
let authorize: (event: RequestAuthorizerEvent) => Promise<AuthorizerResponse>;
const refusals: unknown[] = [];

beforeAll(async () => {
  issuer = await startIssuer('key-1');
  otherPool = await startIssuer('other-key');
  // The handler module reads its configuration at load, as in Lambda: the variables the template gives it.
  Object.assign(process.env, {
    JWT_ISSUER: issuer.url,
    JWT_AUDIENCE: AUDIENCE,
    JWT_JWKS_URL: '',
    JWT_NAME_CLAIM: 'name',
  });
  const { createAuthorizerHandler, handler } = await import('../../src/handlers/authorizer');
  const { createIdentityTokenVerifier } = await import('../../src/authorizer-composition-root');
  lambdaHandler = handler;
  logger = new Logger({ logLevel: 'CRITICAL' });
  jest.spyOn(logger, 'info').mockImplementation((...args: unknown[]) => void refusals.push(args));
  authorize = createAuthorizerHandler(createIdentityTokenVerifier(), { logger });
});
afterAll(async () => {
  await Promise.all([issuer, otherPool].map((one) => new Promise((resolve) => one.server.close(resolve))));
});
beforeEach(() => {
  refusals.length = 0;
});

const now = () => Math.floor(Date.now() / 1000);

/** A token as the issuer would sign it; each case changes one thing. */
function mint(
  claims: Record<string, unknown> = {},
  { signer = issuer, kid = signer.kid }: { signer?: Issuer; kid?: string } = {},
): Promise<string> {
  const payload = { sub: 'alice', iss: issuer.url, aud: AUDIENCE, iat: now(), exp: now() + 3600, name: 'Alice' };
  return new SignJWT({ ...payload, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(signer.privateKey);
}

function withToken(token: string): RequestAuthorizerEvent {
  return { ...structuredClone(SAMPLE), headers: {}, queryStringParameters: { token } };
}

function withProtocols(protocols: string): RequestAuthorizerEvent {
  return { ...structuredClone(SAMPLE), headers: { 'Sec-WebSocket-Protocol': protocols }, queryStringParameters: {} };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The handler refuses with exactly "Unauthorized" (API Gateway's 401) and logs why, the token never in the reply. */
async function expectRefused(event: RequestAuthorizerEvent, reason: RegExp): Promise<void> {
  const error = await authorize(event).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe('Unauthorized');
  expect(JSON.stringify(refusals)).toMatch(reason);
}

describe('the $connect authorizer', () => {
  it('runs as Lambda loads it, configured by its variables (the JWKS URL defaulting to the issuer’s)', async () => {
    const response = await lambdaHandler(withToken(await mint()));

    expect(response.principalId).toBe('alice');
  });

  it('allows a valid token from ?token= on this very route, with the identity as context', async () => {
    const token = await mint();

    const response = await authorize(withToken(token));

    expect(response.principalId).toBe('alice');
    expect(response.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: SAMPLE.methodArn },
    ]);
    expect(response.context).toEqual({ sub: 'alice', name: 'Alice', exp: expect.any(Number) });
    expect(response.context.exp).toBeGreaterThan(now() + 3500);
  });

  it('takes the token from the offered subprotocols when the query has none (browsers cannot set headers)', async () => {
    const token = await mint({ name: 'Alice from a browser' });

    const response = await authorize(withProtocols(`switchboard, ${token}`));

    expect(response.context.name).toBe('Alice from a browser');
  });

  it('keeps the JWKS across invocations: one fetch for many handshakes', async () => {
    const before = issuer.jwksRequests;

    for (let i = 0; i < 5; i += 1) await authorize(withToken(await mint({ sub: `user-${i}` })));

    expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
  });

  it('refuses a handshake without a token', async () => {
    await expectRefused(withProtocols('switchboard'), /no sign-in token/);
  });

  it('refuses an expired token', async () => {
    await expectRefused(withToken(await mint({ exp: now() - 60 })), /JwtExpiredError/);
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    await expectRefused(withToken(await mint({ nbf: now() + 600 })), /JwtNotBeforeError/);
  });

  it('refuses a token of another issuer', async () => {
    await expectRefused(withToken(await mint({ iss: 'https://issuer.example.com' })), /JwtInvalidIssuerError/);
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(withToken(await mint({ aud: 'another-app' })), /JwtInvalidAudienceError/);
  });

  it('refuses a bad signature: signed by another key under a known kid', async () => {
    await expectRefused(withToken(await mint({}, { signer: otherPool, kid: issuer.kid })), /JwtInvalidSignatureError/);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await mint()).split('.');
    const forged = `${header}.${base64url({ sub: 'mallory', iss: issuer.url, aud: AUDIENCE, exp: now() + 600 })}.${signature}`;

    await expectRefused(withToken(forged), /JwtInvalidSignatureError/);
  });

  it('refuses alg: none', async () => {
    const unsigned = `${base64url({ alg: 'none', kid: issuer.kid })}.${base64url({ sub: 'mallory', iss: issuer.url, aud: AUDIENCE, exp: now() + 600 })}.`;

    await expectRefused(withToken(unsigned), /Error/);
  });

  it('refuses an unknown kid', async () => {
    await expectRefused(withToken(await mint({}, { kid: 'no-such-key' })), /KidNotFoundInJwksError/);
  });

  it('refuses a token of another user pool (its own issuer and keys)', async () => {
    const foreign = await new SignJWT({ name: 'Alice' })
      .setProtectedHeader({ alg: 'RS256', kid: otherPool.kid })
      .setSubject('alice')
      .setIssuer(otherPool.url)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 600)
      .sign(otherPool.privateKey);

    // Refused on its issuer or on its key, whichever the library checks first; never fetched from its issuer.
    await expectRefused(
      withToken(foreign),
      /JwtInvalidIssuerError|KidNotFoundInJwksError|WaitPeriodNotYetEndedJwkError/,
    );
    expect(otherPool.jwksRequests).toBe(0);
  });

  it('refuses a token without exp, and one without sub', async () => {
    const endless = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
      .setSubject('alice')
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .sign(issuer.privateKey);
    const nobody = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 600)
      .sign(issuer.privateKey);

    await expectRefused(withToken(endless), /no exp claim/);
    await expectRefused(withToken(nobody), /no usable sub claim/);
  });
});
