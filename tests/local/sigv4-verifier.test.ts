import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ReceivedRequest } from '../../packages/local/src/received-request';
import { LOCAL_IAM_CREDENTIALS } from '../../packages/local/src/sigv4-credentials';
import { createSigV4Verifier } from '../../packages/local/src/sigv4-verifier';

const HOST = 'localhost:3002';
const sha256 = Hash.bind(null, 'sha256');

/** The SDK's signer, as a client that signs for execute-api uses it. */
function signer(
  secretAccessKey: string = LOCAL_IAM_CREDENTIALS.secretAccessKey,
  accessKeyId?: string,
  region = 'us-east-1',
) {
  return new SignatureV4({
    credentials: { accessKeyId: accessKeyId ?? LOCAL_IAM_CREDENTIALS.accessKeyId, secretAccessKey },
    region,
    service: 'execute-api',
    sha256,
  });
}

interface Unsigned {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

const toRequest = (u: Unsigned) => ({
  method: u.method,
  protocol: 'https:',
  hostname: HOST,
  path: u.path,
  query: u.query ?? {},
  headers: { host: HOST, ...(u.headers ?? {}) },
  ...(u.body !== undefined ? { body: u.body } : {}),
});

/** What the server receives for a request the client signed in headers. */
function received(
  signed: { method: string; path: string; query?: unknown; headers: Record<string, string> },
  body?: string,
): ReceivedRequest {
  return {
    method: signed.method,
    host: HOST,
    path: signed.path,
    query: new URLSearchParams(signed.query as Record<string, string>).toString(),
    rawHeaders: Object.entries(signed.headers).flat(),
    ...(body !== undefined ? { body: Buffer.from(body) } : {}),
  };
}

function presignedRequest(query: Record<string, unknown> | undefined, path = '/prod'): ReceivedRequest {
  return {
    method: 'GET',
    host: HOST,
    path,
    query: new URLSearchParams((query ?? {}) as Record<string, string>).toString(),
    rawHeaders: ['Host', HOST, 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'abc', 'User-Agent', 'test'],
  };
}

describe('createSigV4Verifier', () => {
  const verifier = createSigV4Verifier({
    credentials: LOCAL_IAM_CREDENTIALS,
    region: 'us-east-1',
    service: 'execute-api',
  });

  describe('signatures in the Authorization header', () => {
    it('accepts a request the SDK signed with the local key pair, and names the access key', async () => {
      const request = { method: 'POST', path: '/items/a%20b', query: { q: 'x y', n: '1' }, body: '{"a":1}' };
      const signed = await signer().sign(toRequest({ ...request, headers: { 'content-type': 'application/json' } }));

      const result = await verifier.verifyHeaders(received(signed, request.body));

      expect(result).toEqual({ valid: true, caller: { accessKeyId: LOCAL_IAM_CREDENTIALS.accessKeyId } });
    });

    it('refuses a signature made with another secret', async () => {
      const signed = await signer('not-the-local-secret').sign(toRequest({ method: 'GET', path: '/items' }));

      expect(await verifier.verifyHeaders(received(signed))).toEqual({
        valid: false,
        reason: 'signature does not match',
      });
    });

    it('refuses a body changed after signing', async () => {
      const signed = await signer().sign(toRequest({ method: 'POST', path: '/items', body: 'original' }));

      expect(await verifier.verifyHeaders(received(signed, 'changed'))).toMatchObject({ valid: false });
    });

    it('refuses a query changed after signing', async () => {
      const signed = await signer().sign(toRequest({ method: 'GET', path: '/items', query: { page: '1' } }));

      const result = await verifier.verifyHeaders({ ...received(signed), query: 'page=2' });

      expect(result).toEqual({ valid: false, reason: 'signature does not match' });
    });

    it('refuses another access key, an unsigned request and an old signature', async () => {
      const other = await signer(undefined, 'AKIAOTHERKEY00000000').sign(toRequest({ method: 'GET', path: '/' }));
      const old = await signer().sign(toRequest({ method: 'GET', path: '/' }), {
        signingDate: new Date(Date.now() - 20 * 60_000),
      });

      expect(await verifier.verifyHeaders(received(other))).toMatchObject({
        valid: false,
        reason: /unknown access key/,
      });
      expect(await verifier.verifyHeaders(received({ method: 'GET', path: '/', headers: { host: HOST } }))).toEqual({
        valid: false,
        reason: 'missing Authorization header',
      });
      expect(await verifier.verifyHeaders(received(old))).toEqual({ valid: false, reason: 'signature expired' });
    });

    it("refuses a signature scoped to another region than the stack's, as API Gateway does", async () => {
      const elsewhere = await signer(undefined, undefined, 'eu-west-1').sign(toRequest({ method: 'GET', path: '/' }));
      const presigned = await signer(undefined, undefined, 'eu-west-1').presign(
        toRequest({ method: 'GET', path: '/prod' }),
      );

      expect(await verifier.verifyHeaders(received(elsewhere))).toEqual({
        valid: false,
        reason: 'credential scope names region eu-west-1',
      });
      expect(await verifier.verifyPresigned(presignedRequest(presigned.query))).toEqual({
        valid: false,
        reason: 'credential scope names region eu-west-1',
      });
    });
  });

  it('answers malformed signatures with a verdict, never an exception', async () => {
    const malformed = [
      'AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=zz',
      `AWS4-HMAC-SHA256 Credential=${LOCAL_IAM_CREDENTIALS.accessKeyId}/2025/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      `AWS4-HMAC-SHA256 Credential=${LOCAL_IAM_CREDENTIALS.accessKeyId}/20250101/us-east-1/execute-api/aws4_request, SignedHeaders=__proto__;host, Signature=${'0'.repeat(64)}`,
      'Bearer abc',
    ];
    const queries = [
      { 'X-Amz-Signature': 'abc', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': 'a/b/c/d/e' },
      {
        'X-Amz-Signature': 'abc',
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': `${LOCAL_IAM_CREDENTIALS.accessKeyId}/20250101/us-east-1/execute-api/aws4_request`,
        'X-Amz-Date': '20250101T000000Z',
        'X-Amz-Expires': 'soon',
      },
    ];

    for (const authorization of malformed) {
      const result = await verifier.verifyHeaders(
        received({
          method: 'GET',
          path: '/',
          headers: { host: HOST, authorization, 'x-amz-date': '20250101T000000Z' },
        }),
      );
      expect(result).toMatchObject({ valid: false });
    }
    for (const query of queries)
      expect(await verifier.verifyPresigned(presignedRequest(query))).toMatchObject({ valid: false });
  });

  describe('presigned URLs', () => {
    it('accepts a URL the SDK presigned with the local key pair', async () => {
      const presigned = await signer().presign(toRequest({ method: 'GET', path: '/prod', query: { room: 'lobby' } }), {
        expiresIn: 60,
      });

      expect(await verifier.verifyPresigned(presignedRequest(presigned.query))).toEqual({
        valid: true,
        caller: { accessKeyId: LOCAL_IAM_CREDENTIALS.accessKeyId },
      });
    });

    it('refuses an expired URL, a changed parameter, another path and a wrong secret', async () => {
      const expired = await signer().presign(toRequest({ method: 'GET', path: '/prod' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 2 * 60_000),
      });
      const good = await signer().presign(toRequest({ method: 'GET', path: '/prod', query: { room: 'lobby' } }));
      const wrong = await signer('not-the-local-secret').presign(toRequest({ method: 'GET', path: '/prod' }));

      expect(await verifier.verifyPresigned(presignedRequest(expired.query))).toEqual({
        valid: false,
        reason: 'presigned URL expired',
      });
      expect(await verifier.verifyPresigned(presignedRequest({ ...good.query, room: 'other' }))).toEqual({
        valid: false,
        reason: 'signature does not match',
      });
      expect(await verifier.verifyPresigned(presignedRequest(good.query, '/dev'))).toMatchObject({ valid: false });
      expect(await verifier.verifyPresigned(presignedRequest(wrong.query))).toMatchObject({ valid: false });
      expect(await verifier.verifyPresigned(presignedRequest({}))).toEqual({
        valid: false,
        reason: 'missing X-Amz-Signature',
      });
    });
  });
});
