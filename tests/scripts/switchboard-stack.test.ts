import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import WebSocket from 'ws';
import { type SwitchboardStackOptions, startSwitchboardStack } from '../../scripts/local/switchboard-stack';
import { FIXTURES } from '../local/support/fixture-stack';

/** The status of a refused WebSocket handshake, or 101 when it opened. */
function handshakeStatus(url: string): Promise<number> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

/** Switchboard's stack (the local stack plus the front end) on the local stack's fixture template. */
async function startFixtureStack(options: SwitchboardStackOptions) {
  const lines: string[] = [];
  const stack = await startSwitchboardStack({
    templatePath: join(FIXTURES, 'template.yaml'),
    projectRoot: FIXTURES,
    wsPort: 0,
    httpPort: 0,
    dynamoPort: 0,
    dataDir: null,
    log: (line) => lines.push(line),
    ...options,
  });
  return Object.assign(stack, { lines });
}

describe("Switchboard's web server", () => {
  it('serves /config.json pointing at the local gateway, and says when the front end is not built', async () => {
    const stack = await startFixtureStack({ quiet: true, webPort: 0 });
    try {
      const config = await fetch(`${stack.webUrl}/config.json`).then((r) => r.json());
      const page = await fetch(`${stack.webUrl}/`).then((r) => r.text());

      expect(config).toEqual({ wsUrl: stack.wsUrl, httpUrl: stack.httpUrl, auth: { mode: 'anonymous' } });
      expect(page).toMatch(/not built/);
      expect(stack.lines.some((l) => l.includes('web/dist is not built'))).toBe(true);
    } finally {
      await stack.stop();
    }
  });

  it('with auth jwt, runs the local OIDC issuer, says so in /config.json, and stops it with the stack', async () => {
    const stack = await startFixtureStack({ quiet: true, webPort: 0, auth: 'jwt', issuerPort: 0 });
    const issuer = stack.issuer;
    if (!issuer) throw new Error('no issuer');
    let stopped = false;
    try {
      const config = await fetch(`${stack.webUrl}/config.json`).then((r) => r.json());
      const minted = (await fetch(issuer.mintUrl, {
        method: 'POST',
        headers: { origin: stack.webUrl ?? '' },
        body: JSON.stringify({ sub: 'alice', name: 'Alice' }),
      }).then((r) => r.json())) as { token: string };
      const { payload } = await jwtVerify(minted.token, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
        issuer: issuer.issuer,
        audience: issuer.audience,
      });

      expect(config.auth).toEqual({ mode: 'jwt', issuer: issuer.issuer, mintUrl: issuer.mintUrl });
      expect(issuer.issuer).toMatch(/^http:\/\/localhost:\d+$/);
      expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' });
      await stack.stop();
      stopped = true;
      await expect(fetch(issuer.jwksUrl)).rejects.toThrow();
    } finally {
      if (!stopped) await stack.stop();
    }
  });

  it('with auth iam, runs AuthMode=iam with SigV4 checks on and says so in /config.json', async () => {
    const stack = await startFixtureStack({
      quiet: true,
      webPort: 0,
      auth: 'iam',
      templatePath: join(FIXTURES, 'iam-template.yaml'),
    });
    try {
      const config = await fetch(`${stack.webUrl}/config.json`).then((r) => r.json());
      const unsigned = await handshakeStatus(`${stack.wsUrl}/iam`);

      expect(config.auth).toEqual({ mode: 'iam' });
      // Refused by the gateway's signature check (403), not by a $connect that got no identity.
      expect(unsigned).toBe(403);
    } finally {
      await stack.stop();
    }
  });

  it('serves the built front end from web/dist, with index.html for client-side routes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
    mkdirSync(join(root, 'web', 'dist', 'assets'), { recursive: true });
    writeFileSync(join(root, 'web', 'dist', 'index.html'), '<h1>Switchboard</h1>');
    writeFileSync(join(root, 'web', 'dist', 'assets', 'app.js'), 'console.log(1)');
    // CodeUri is relative to projectRoot, and the stack refuses to start without the handler files.
    symlinkSync(join(FIXTURES, 'handlers'), join(root, 'handlers'));
    const stack = await startFixtureStack({
      quiet: true,
      webPort: 0,
      projectRoot: root,
      templatePath: join(FIXTURES, 'template.yaml'),
    });
    try {
      const script = await fetch(`${stack.webUrl}/assets/app.js`);
      const route = await fetch(`${stack.webUrl}/chat`);
      const missing = await fetch(`${stack.webUrl}/assets/nope.js`);
      const escaped = await fetch(`${stack.webUrl}/..%2F..%2Fetc%2Fpasswd`);

      expect(script.headers.get('content-type')).toMatch(/javascript/);
      await expect(script.text()).resolves.toBe('console.log(1)');
      await expect(route.text()).resolves.toBe('<h1>Switchboard</h1>');
      expect(missing.status).toBe(404);
      expect([403, 404]).toContain(escaped.status);
    } finally {
      await stack.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the local token secret across restarts with a data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-secret-'));
    try {
      const first = await startFixtureStack({ quiet: true, dataDir, webPort: null });
      await first.stop();
      const secret = readFileSync(join(dataDir, 'token-secret'), 'utf8');
      const second = await startFixtureStack({ quiet: true, dataDir, webPort: null });
      await second.stop();

      expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(join(dataDir, 'token-secret'), 'utf8')).toBe(secret);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
