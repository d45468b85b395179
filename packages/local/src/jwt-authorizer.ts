import { JwtVerifier } from 'aws-jwt-verify';
import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtAuthorizerModel } from './stack-model';

/** What a JWT authorizer hands the route: payload 2.0's `requestContext.authorizer.jwt`. */
export interface JwtAuthorizerContext {
  /** Every claim of the token, as API Gateway passes them: strings (numbers and lists written out). */
  claims: Record<string, string>;
  /** The token's `scope` (or `scp`) claim split on spaces; null when it has none. */
  scopes: string[] | null;
}

export type JwtCheck = { valid: true; context: JwtAuthorizerContext } | { valid: false; reason: string };

/** Checks the bearer token of a request against one of the template's JWT authorizers. */
export interface JwtAuthorizer {
  check(authorization: string | undefined): Promise<JwtCheck>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * aws-jwt-verify fetches over https only. A local issuer (`npm start -- --auth jwt`, a test's) serves its
 * discovery document and keys over plain http on the loopback interface, which nothing off the machine can
 * intercept: this fetcher allows exactly that and hands every other URL to the library's own fetcher. Written
 * here because the library has no option for it.
 */
class LoopbackHttpFetcher implements Fetcher {
  private readonly https = new SimpleFetcher();

  async fetch(uri: string, requestOptions?: Record<string, unknown>, data?: ArrayBuffer): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      return this.https.fetch(uri, requestOptions, data);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`${uri} answered ${response.status}`);
    return response.arrayBuffer();
  }
}

/**
 * An HTTP API JWT authorizer as API Gateway runs it: the token of the `Authorization` header (with or
 * without `Bearer `), its signature against the keys that the issuer's OIDC discovery document names
 * (`{issuer}/.well-known/openid-configuration`, `jwks_uri`), `iss`, `exp`, `nbf`, and an `aud` or `client_id`
 * among the authorizer's audiences. Keys are fetched once and cached, as in AWS.
 */
export function createJwtAuthorizer(model: JwtAuthorizerModel): JwtAuthorizer {
  const fetcher = new LoopbackHttpFetcher();
  let verifier: Promise<ReturnType<typeof JwtVerifier.create>> | null = null;
  const verifierOnce = () => {
    verifier ??= discoverJwksUri(model.issuer, fetcher).then((jwksUri) =>
      // `audience: null`: API Gateway accepts `client_id` too (access tokens of Cognito carry no `aud`).
      JwtVerifier.create(
        { issuer: model.issuer, audience: null, jwksUri },
        { jwksCache: new SimpleJwksCache({ fetcher }) },
      ),
    );
    // A failed discovery is tried again on the next request, not remembered.
    verifier.catch(() => {
      verifier = null;
    });
    return verifier;
  };
  return {
    async check(authorization) {
      const token = /^(?:Bearer\s+)?(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) return { valid: false, reason: 'no token in the Authorization header' };
      try {
        const payload = await (await verifierOnce()).verify(token);
        if (typeof payload.exp !== 'number') return { valid: false, reason: 'the token has no exp claim' };
        const audiences = [payload.aud, payload.client_id].flat().filter((a): a is string => typeof a === 'string');
        if (!audiences.some((a) => model.audience.includes(a))) {
          return { valid: false, reason: `neither aud nor client_id is one of ${model.audience.join(', ')}` };
        }
        return { valid: true, context: contextOf(payload) };
      } catch (error) {
        // aws-jwt-verify's errors keep `name` "Error"; their class says which check failed.
        return {
          valid: false,
          reason: error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unverifiable',
        };
      }
    },
  };
}

async function discoverJwksUri(issuer: string, fetcher: Fetcher): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const document = JSON.parse(Buffer.from(await fetcher.fetch(url)).toString('utf8')) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== 'string') throw new Error(`${url} names no jwks_uri`);
  return document.jwks_uri;
}

/** Claims as API Gateway writes them into the event: lists as `[a b]`, objects as JSON, the rest as text. */
function contextOf(payload: Record<string, unknown>): JwtAuthorizerContext {
  // Object.fromEntries: a claim may be named `__proto__`.
  const claims: Record<string, string> = Object.fromEntries(
    Object.entries(payload)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => [
        name,
        Array.isArray(value)
          ? `[${value.join(' ')}]`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
      ]),
  );
  const scope = typeof payload.scope === 'string' ? payload.scope : typeof payload.scp === 'string' ? payload.scp : '';
  const scopes = scope.split(' ').filter(Boolean);
  return { claims, scopes: scopes.length ? scopes : null };
}
