import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { build } from 'esbuild';
import {
  type AwsRedirectOptions,
  installAwsRedirect,
  removeAwsRedirect,
} from '../../packages/local/src/worker/aws-redirect';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const API_HOST = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';

describe('installAwsRedirect', () => {
  let server: Server;
  let port: number;
  let received: Received[];
  let redirect: AwsRedirectOptions;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    redirect = { gatewayEndpoint: `http://localhost:${port}`, apiHosts: [API_HOST] };
  });

  beforeEach(() => {
    received = [];
    installAwsRedirect(redirect);
  });
  afterEach(() => removeAwsRedirect(redirect));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const client = (endpoint: string) =>
    new ApiGatewayManagementApiClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' },
    });

  it("sends the SDK's calls to the API's execute-api endpoint to the local gateway, path and Host kept", async () => {
    await client(`https://${API_HOST}/prod`).send(
      new PostToConnectionCommand({ ConnectionId: 'Gg3GqdpYIAMCJOg=', Data: 'hello' }),
    );

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/prod/@connections/Gg3GqdpYIAMCJOg%3D',
      body: 'hello',
    });
    expect(received[0]?.headers.host).toBe(API_HOST);
    expect(received[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\//);
  });

  it('sends https://{domainName}/{stage} with the local domain name to the gateway', async () => {
    await client(`https://localhost:${port}/prod`).send(
      new PostToConnectionCommand({ ConnectionId: 'abc=', Data: 'via domain name' }),
    );

    expect(received.map((r) => [r.url, r.body])).toEqual([['/prod/@connections/abc%3D', 'via domain name']]);
  });

  it('redirects https.get and https.request called with a URL', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      https
        .get(`https://${API_HOST}/prod/ping?x=1`, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
        .on('error', reject);
    });

    expect(status).toBe(200);
    expect(received.map((r) => r.url)).toEqual(['/prod/ping?x=1']);
  });

  it('leaves every other host alone', async () => {
    // The same server under a name that is not redirected: https to a plain http server fails in TLS.
    const error = await new Promise<Error>((resolve) => {
      https.get(`https://127.0.0.1:${port}/prod`, () => resolve(new Error('answered'))).on('error', resolve);
    });

    expect(error.message).not.toBe('answered');
    expect(received.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('resolves names under .localhost to the loopback address, as the local queue URLs need', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(`http://sqs.us-east-1.localhost:${port}/000000000000/Queue`, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
        .on('error', reject);
    });

    expect(status).toBe(200);
    expect(received.map((r) => [r.url, r.headers.host])).toEqual([
      ['/000000000000/Queue', `sqs.us-east-1.localhost:${port}`],
    ]);
  });

  it('gives node:https back once the last redirect is removed', async () => {
    removeAwsRedirect(redirect);

    const error = await client(`https://localhost:${port}/prod`)
      .send(new PostToConnectionCommand({ ConnectionId: 'abc=', Data: 'x' }))
      .then(
        () => null,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(Error);
    expect(received).toEqual([]);
  });

  it('redirects ES modules that import request from node:https by name', async () => {
    // A real ES module in a plain Node process (jest compiles everything to CommonJS).
    const dir = mkdtempSync(join(tmpdir(), 'aws-redirect-'));
    try {
      await build({
        entryPoints: [join(__dirname, '../../packages/local/src/worker/aws-redirect.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: join(dir, 'aws-redirect.mjs'),
        logLevel: 'silent',
      });
      writeFileSync(
        join(dir, 'main.mjs'),
        `import { request } from 'node:https';
import { installAwsRedirect } from './aws-redirect.mjs';
installAwsRedirect(${JSON.stringify(redirect)});
const req = request('https://${API_HOST}/prod/from-esm', { method: 'POST' }, (res) => { res.resume(); console.log(res.statusCode); });
req.end('esm body');
`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'main.mjs')], { timeout: 10_000 });

      expect(stdout.trim()).toBe('200');
      expect(received.map((r) => [r.url, r.body])).toEqual([['/prod/from-esm', 'esm body']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
