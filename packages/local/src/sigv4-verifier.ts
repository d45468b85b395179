import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ReceivedRequest } from './received-request';

/** Who signed: the access key of a valid signature. */
export interface SigV4Caller {
  accessKeyId: string;
}

export type SigV4Result = { valid: true; caller: SigV4Caller } | { valid: false; reason: string };

export interface SigV4VerifierOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The stack's region: API Gateway refuses a signature whose credential scope names another. */
  region: string;
  /** The service of the credential scope (`execute-api` for API Gateway). */
  service: string;
  now?: () => number;
}

/** API Gateway accepts a signature dated up to 15 minutes from its own clock. */
const SKEW_MS = 15 * 60_000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

/** `20251203T143000Z` → a Date, or null. */
function parseAmzDate(value: string | undefined): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** `AKID/20251203/us-east-1/execute-api/aws4_request`. */
function parseCredential(value: string | undefined): Scope | null {
  const parts = (value ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return null;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function headerMap(rawHeaders: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const earlier = headers.get(name);
    const value = rawHeaders[i + 1] as string;
    headers.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  return headers;
}

/** Query parameters, decoded, repeated names as arrays (the signer's `QueryParameterBag`). */
function queryBag(query: string, skip: (name: string) => boolean): Record<string, string | string[]> {
  const bag = new Map<string, string | string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    if (skip(name)) continue;
    const earlier = bag.get(name);
    bag.set(name, earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value]);
  }
  return Object.fromEntries(bag);
}

/**
 * Checks AWS Signature Version 4 on requests to the local API Gateway, in the header form (HTTP API,
 * `@connections`) and the query-string (presigned) form (a WebSocket `$connect` URL). The signature is
 * recomputed with `@smithy/signature-v4`, the SDK's own signer, from what the client says it signed
 * (its credential scope, date and signed headers) and the local secret, then compared in constant time;
 * the date must be within API Gateway's window.
 */
export function createSigV4Verifier(options: SigV4VerifierOptions) {
  const now = options.now ?? Date.now;
  const signerFor = (scope: Scope, sessionToken: string | undefined) =>
    new SignatureV4({
      credentials: {
        accessKeyId: options.credentials.accessKeyId,
        secretAccessKey: options.credentials.secretAccessKey,
        ...(sessionToken ? { sessionToken } : {}),
      },
      region: scope.region,
      service: scope.service,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });

  const checkScope = (scope: Scope | null, signedAt: Date | null): string | null => {
    if (!scope) return 'malformed credential scope';
    if (scope.accessKeyId !== options.credentials.accessKeyId) return `unknown access key ${scope.accessKeyId}`;
    if (scope.region !== options.region) return `credential scope names region ${scope.region}`;
    if (scope.service !== options.service) return `credential scope names service ${scope.service}`;
    if (!signedAt) return 'missing or malformed date';
    if (scope.date !== signedAt.toISOString().slice(0, 10).replace(/-/g, '')) return 'scope date is not the date';
    return null;
  };

  const signedHeadersOf = (headers: Map<string, string>, host: string, names: string[]) => {
    const signed: Record<string, string> = {};
    for (const name of names) {
      const value = name === 'host' ? host : headers.get(name);
      if (value === undefined) return null;
      signed[name] = value;
    }
    return signed;
  };

  const checks = {
    /** The `Authorization: AWS4-HMAC-SHA256 ...` form. */
    async verifyHeaders(request: ReceivedRequest): Promise<SigV4Result> {
      const headers = headerMap(request.rawHeaders);
      const authorization = headers.get('authorization');
      if (!authorization) return { valid: false, reason: 'missing Authorization header' };
      const parsed =
        /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
          authorization.trim(),
        );
      if (!parsed) return { valid: false, reason: 'malformed Authorization header' };
      const [, credential, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
      const scope = parseCredential(credential);
      const signedAt = parseAmzDate(headers.get('x-amz-date'));
      const problem = checkScope(scope, signedAt);
      if (problem || !scope || !signedAt) return { valid: false, reason: problem ?? 'invalid' };
      if (Math.abs(now() - signedAt.getTime()) > SKEW_MS) return { valid: false, reason: 'signature expired' };
      const names = signedHeaderList.split(';');
      if (!names.includes('host')) return { valid: false, reason: 'the host header is not signed' };
      const signedHeaders = signedHeadersOf(headers, request.host, names);
      if (!signedHeaders) return { valid: false, reason: 'a signed header is missing' };
      const body = request.body ?? Buffer.alloc(0);
      const declaredHash = signedHeaders['x-amz-content-sha256'];
      if (
        declaredHash !== undefined &&
        declaredHash !== 'UNSIGNED-PAYLOAD' &&
        declaredHash !== createHash('sha256').update(body).digest('hex')
      ) {
        return { valid: false, reason: 'x-amz-content-sha256 does not match the body' };
      }
      const signed = await signerFor(scope, headers.get('x-amz-security-token')).sign(
        {
          method: request.method,
          protocol: 'https:',
          hostname: request.host,
          path: request.path,
          query: queryBag(request.query, () => false),
          headers: signedHeaders,
          ...(body.length > 0 ? { body } : {}),
        },
        { signingDate: signedAt, signableHeaders: new Set(names) },
      );
      const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
      if (!sameSignature(expected, signature)) return { valid: false, reason: 'signature does not match' };
      return { valid: true, caller: { accessKeyId: scope.accessKeyId } };
    },

    /** The presigned form: `X-Amz-Algorithm`, `X-Amz-Credential`, ... `X-Amz-Signature` in the query. */
    async verifyPresigned(request: ReceivedRequest): Promise<SigV4Result> {
      const query = new URLSearchParams(request.query);
      const signature = query.get('X-Amz-Signature');
      if (!signature) return { valid: false, reason: 'missing X-Amz-Signature' };
      if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { valid: false, reason: 'unknown algorithm' };
      const scope = parseCredential(query.get('X-Amz-Credential') ?? undefined);
      const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? undefined);
      const problem = checkScope(scope, signedAt);
      if (problem || !scope || !signedAt) return { valid: false, reason: problem ?? 'invalid' };
      const expiresIn = Number(query.get('X-Amz-Expires'));
      if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGNED_SECONDS) {
        return { valid: false, reason: 'malformed X-Amz-Expires' };
      }
      const at = now();
      if (at < signedAt.getTime() - SKEW_MS) return { valid: false, reason: 'signed in the future' };
      if (at > signedAt.getTime() + expiresIn * 1000) return { valid: false, reason: 'presigned URL expired' };
      const names = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
      if (!names.includes('host')) return { valid: false, reason: 'the host header is not signed' };
      const signedHeaders = signedHeadersOf(headerMap(request.rawHeaders), request.host, names);
      if (!signedHeaders) return { valid: false, reason: 'a signed header is missing' };
      const presigned = await signerFor(scope, query.get('X-Amz-Security-Token') ?? undefined).presign(
        {
          method: request.method,
          protocol: 'https:',
          hostname: request.host,
          path: request.path,
          // The signer sets the X-Amz-* parameters itself, from the same scope, date and expiry.
          query: queryBag(request.query, (name) => name.startsWith('X-Amz-')),
          headers: signedHeaders,
        },
        { signingDate: signedAt, expiresIn, signableHeaders: new Set(names) },
      );
      const expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
      if (!sameSignature(expected, signature)) return { valid: false, reason: 'signature does not match' };
      return { valid: true, caller: { accessKeyId: scope.accessKeyId } };
    },
  };

  /** Whatever a client sends, the answer is a verdict: a request the signer cannot even process is invalid. */
  const verdict =
    (check: (request: ReceivedRequest) => Promise<SigV4Result>) =>
    (request: ReceivedRequest): Promise<SigV4Result> =>
      check(request).catch((error: unknown) => ({
        valid: false,
        reason: `unverifiable: ${error instanceof Error ? error.message : String(error)}`,
      }));
  return { verifyHeaders: verdict(checks.verifyHeaders), verifyPresigned: verdict(checks.verifyPresigned) };
}

export type SigV4Verifier = ReturnType<typeof createSigV4Verifier>;
