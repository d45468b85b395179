import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type OidcIssuer, startOidcIssuer } from '../../scripts/local/oidc-issuer';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function verify(issuer: OidcIssuer, token: string) {
  return jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
    issuer: issuer.issuer,
    audience: issuer.audience,
  });
}

describe('the local OIDC issuer', () => {
  let dataDir: string;
  let issuer: OidcIssuer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-issuer-'));
    issuer = await startOidcIssuer({ dataDir, port: 0 });
  });
  afterAll(async () => {
    await issuer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes discovery and a JWKS that verify the tokens its mint endpoint signs', async () => {
    const discovery = await fetch(`${issuer.issuer}/.well-known/openid-configuration`).then((r) => r.json());
    const before = Math.floor(Date.now() / 1000);

    const response = await post(issuer.mintUrl, { sub: 'alice', name: 'Alice', expiresInSeconds: 120 });
    const minted = (await response.json()) as { token: string; sub: string; expiresAt: string };
    const { payload, protectedHeader } = await verify(issuer, minted.token);

    expect(discovery).toMatchObject({ issuer: issuer.issuer, jwks_uri: issuer.jwksUrl });
    expect(response.status).toBe(200);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice', iss: issuer.issuer, aud: 'switchboard-local' });
    expect(payload.exp).toBeGreaterThanOrEqual(before + 120);
    expect(payload.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
    expect(new Date(minted.expiresAt).getTime()).toBe((payload.exp ?? 0) * 1000);
  });

  it('keeps its key in the data folder (private), so a restart still verifies earlier tokens', async () => {
    const { token } = await issuer.mint({ sub: 'bob' });
    const again = await startOidcIssuer({ dataDir, port: 0 });
    try {
      const keys = (await fetch(again.jwksUrl).then((r) => r.json())) as { keys: Array<{ kid: string; d?: string }> };
      const verified = await jwtVerify(token, createRemoteJWKSet(new URL(again.jwksUrl)), {
        audience: again.audience,
      });

      expect(keys.keys.map((key) => key.kid)).toEqual([decodeProtectedHeader(token).kid]);
      expect(keys.keys[0]?.d).toBeUndefined();
      expect(verified.payload.sub).toBe('bob');
      expect(statSync(join(dataDir, 'oidc-signing-key.json')).mode & 0o077).toBe(0);
    } finally {
      await again.stop();
    }
  });

  it('without a data folder, uses a key of its own that another process would not know', async () => {
    const other = await startOidcIssuer({ dataDir: null, port: 0 });
    try {
      const { token } = await other.mint({ sub: 'carol' });
      await expect(verify(issuer, token)).rejects.toThrow();
    } finally {
      await other.stop();
    }
  });

  it.each([
    [{ name: 'no sub' }, /sub/],
    [{ sub: '' }, /sub/],
    [{ sub: 'a\u0000b' }, /sub/],
    [{ sub: 'x'.repeat(129) }, /sub/],
    [{ sub: 'alice', name: 42 }, /name/],
    [{ sub: 'alice', expiresInSeconds: 0 }, /expiresInSeconds/],
    [{ sub: 'alice', expiresInSeconds: 86_401 }, /expiresInSeconds/],
    [{ sub: 'alice', expiresInSeconds: 1.5 }, /expiresInSeconds/],
    ['not an object', /JSON object/],
  ])('refuses to mint %j with a 400 that says why', async (body, reason) => {
    const response = await post(issuer.mintUrl, body);
    const answer = (await response.json()) as { message: string; token?: string };

    expect(response.status).toBe(400);
    expect(answer.message).toMatch(reason);
    expect(answer.token).toBeUndefined();
  });

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(issuer.mintUrl, { method: 'POST', body: '{sub:' });
    expect(response.status).toBe(400);
  });

  it('lets pages of this machine call the mint endpoint, and no other origin', async () => {
    const local = await post(issuer.mintUrl, { sub: 'dave' }, { origin: 'http://localhost:3000' });
    const preflight = await fetch(issuer.mintUrl, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:5173' } });
    const foreign = await post(issuer.mintUrl, { sub: 'dave' }, { origin: 'https://evil.example' });

    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves a page that mints tokens', async () => {
    const page = await fetch(issuer.mintUrl).then((r) => r.text());
    expect(page).toMatch(/<form/);
    expect(page).toMatch(/fetch\('\/mint'/);
  });

  it('refuses to mint for a caller that is not on this machine, though it serves the JWKS to it', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
    if (!address) return; // no network interface but loopback here: nothing to call from
    const open = await startOidcIssuer({ dataDir: null, port: 0, host: '0.0.0.0' });
    try {
      const port = new URL(open.issuer).port;
      const mint = await post(`http://${address}:${port}/mint`, { sub: 'mallory' });
      const jwks = await fetch(`http://${address}:${port}/.well-known/jwks.json`);

      expect(mint.status).toBe(403);
      expect(jwks.status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
