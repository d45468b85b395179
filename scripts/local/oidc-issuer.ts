import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import { readBody, sendJson } from '../../packages/local/src/http-io';
import { closeServer, listen } from '../../packages/local/src/listen';
import { parseRequestTarget } from '../../packages/local/src/request-target';
import { loadOidcSigningKey } from './oidc-signing-key';

export interface OidcIssuerOptions {
  /** Where the signing key is kept across restarts; null: a new key per process. */
  dataDir: string | null;
  /** Default 3006; 0 for any free port. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). Minting is refused to non-loopback callers whatever it is. */
  host?: string;
  /** The `aud` of minted tokens (default `switchboard-local`). */
  audience?: string;
  /** Lifetime of a minted token when the request names none, in seconds (default 3600, as Cognito's). */
  defaultTtlSeconds?: number;
}

/** What to mint: `sub` is the user; `name` the display name claim. */
export interface MintRequest {
  sub: string;
  name?: string;
  /** Seconds from now until `exp` (1 to 86,400). */
  expiresInSeconds?: number;
  /** Another audience than the issuer's, to try a token meant for someone else. */
  audience?: string;
}

export interface MintedToken {
  token: string;
  sub: string;
  /** `exp` as an ISO time. */
  expiresAt: string;
}

/** A running local OIDC issuer. */
export interface OidcIssuer {
  /** The `iss` of its tokens, and where `/.well-known/openid-configuration` is served. */
  issuer: string;
  jwksUrl: string;
  /** `POST {sub, name?, expiresInSeconds?}` mints a token (loopback callers only); `GET` is a page that does it. */
  mintUrl: string;
  audience: string;
  /** The claim that carries the display name. */
  nameClaim: string;
  mint(request: MintRequest): Promise<MintedToken>;
  stop(): Promise<void>;
}

export const DEFAULT_ISSUER_PORT = 3006;
export const LOCAL_AUDIENCE = 'switchboard-local';
const NAME_CLAIM = 'name';
const MAX_TTL_SECONDS = 86_400;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Thrown for a mint request the issuer will not sign; its message is the 400's. */
export class MintRequestError extends Error {
  override name = 'MintRequestError';
}

/**
 * A local OpenID Connect issuer for `npm start -- --auth jwt`: discovery, a JWKS, and minting of test tokens,
 * so the JWT sign-in runs with no AWS account and no identity provider. Written here rather than taken from a
 * library because what it needs is three small endpoints around `jose`; an OIDC provider package (with its
 * login flows, sessions and storage) would be far more than the tests and the local page use.
 */
export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const key = await loadOidcSigningKey(options.dataDir);
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const defaultTtl = options.defaultTtlSeconds ?? 3600;
  let issuer = '';

  const mint = async (request: MintRequest): Promise<MintedToken> => {
    const { sub, name, ttl, aud } = checkMintRequest(request, defaultTtl);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(name === undefined ? {} : { [NAME_CLAIM]: name })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(aud ?? audience)
      .setSubject(sub)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, sub, expiresAt: new Date((now + ttl) * 1000).toISOString() };
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => sendJson(response, 500, { message: 'Internal Server Error' }));
  });
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const { path } = parseRequestTarget(request.url);
    const method = request.method ?? 'GET';
    if (path === '/.well-known/openid-configuration' && method === 'GET')
      return sendJson(response, 200, discovery(issuer), PUBLIC);
    if (path === '/.well-known/jwks.json' && method === 'GET')
      return sendJson(response, 200, { keys: [key.publicJwk] }, PUBLIC);
    if (path !== '/mint') return sendJson(response, 404, { message: 'Not Found' });
    const cors = localOriginHeaders(request.headers.origin);
    if (!LOOPBACK.has(request.socket.remoteAddress ?? ''))
      return sendJson(response, 403, { message: 'Minting is for this machine only' });
    if (method === 'OPTIONS') return sendJson(response, 204, undefined, cors);
    if (method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void response.end(MINT_PAGE);
    }
    if (method !== 'POST') return sendJson(response, 405, { message: 'Method Not Allowed' }, cors);
    const body = await readBody(request, 16 * 1024);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body?.toString('utf8') ?? '');
    } catch {
      return sendJson(response, 400, { message: 'The body must be JSON: {"sub":"alice","name":"Alice"}' }, cors);
    }
    try {
      return sendJson(response, 200, await mint(parsed as MintRequest), { ...cors, 'cache-control': 'no-store' });
    } catch (error) {
      if (error instanceof MintRequestError) return sendJson(response, 400, { message: error.message }, cors);
      throw error;
    }
  };

  const port = await listen(server, options.port ?? DEFAULT_ISSUER_PORT, options.host ?? '127.0.0.1');
  issuer = `http://localhost:${port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    mintUrl: `${issuer}/mint`,
    audience,
    nameClaim: NAME_CLAIM,
    mint,
    stop: () => closeServer(server),
  };
}

const PUBLIC = { 'access-control-allow-origin': '*' };

/** Pages served from this machine (the front end on another port) may call the mint endpoint; no others. */
function localOriginHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  try {
    const { hostname } = new URL(origin);
    if (hostname !== 'localhost' && hostname !== '127.0.0.1' && hostname !== '[::1]') return {};
  } catch {
    return {};
  }
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
    vary: 'origin',
  };
}

function discovery(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'name', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti'],
  };
}

// Printable, no controls or separators: a `sub` ends up in user ids and logs.
const PRINTABLE = /^[^\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Cf}]+$/u;

function checkMintRequest(
  request: MintRequest,
  defaultTtl: number,
): { sub: string; name: string | undefined; ttl: number; aud: string | undefined } {
  if (typeof request !== 'object' || request === null) throw new MintRequestError('The body must be a JSON object');
  const { sub, name, expiresInSeconds, audience } = request;
  if (typeof sub !== 'string' || sub.length < 1 || sub.length > 128 || !PRINTABLE.test(sub))
    throw new MintRequestError('sub must be 1 to 128 printable characters');
  if (name !== undefined && (typeof name !== 'string' || name.length < 1 || name.length > 100 || !PRINTABLE.test(name)))
    throw new MintRequestError('name must be 1 to 100 printable characters');
  const ttl = expiresInSeconds ?? defaultTtl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS)
    throw new MintRequestError(`expiresInSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}`);
  if (audience !== undefined && (typeof audience !== 'string' || audience.length < 1 || audience.length > 256))
    throw new MintRequestError('audience must be 1 to 256 characters');
  return { sub, name, ttl, aud: audience };
}

const MINT_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Local test tokens</title>
<style>body{font:16px system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}
textarea{width:100%;height:8rem;font:12px monospace}</style>
<h1>Local test tokens</h1>
<p>Tokens signed by this machine's local issuer, for <code>npm start -- --auth jwt</code>. Never for real users.</p>
<form id="f"><label>sub <input name="sub" required value="alice"></label>
<label>name <input name="name" value="Alice"></label>
<label>expires in (s) <input name="ttl" type="number" min="1" max="86400" value="3600"></label>
<button>Mint</button></form>
<textarea id="out" readonly></textarea>
<script>
document.getElementById('f').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { sub: form.get('sub'), expiresInSeconds: Number(form.get('ttl')) };
  if (form.get('name')) body.name = form.get('name');
  const response = await fetch('/mint', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  document.getElementById('out').value = answer.token ?? answer.message;
});
</script></html>
`;
