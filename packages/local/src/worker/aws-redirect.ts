import dns from 'node:dns';
import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

/** Where unmodified SDK code that targets the API's AWS endpoint is sent instead. */
export interface AwsRedirectOptions {
  /** The local gateway (`http://localhost:<port>`): `@connections` and the Lambda Invoke API. */
  gatewayEndpoint: string;
  /** The API's AWS host names (`{apiId}.execute-api.{region}.amazonaws.com`), each optionally with `:port`. */
  apiHosts: string[];
}

type ResponseListener = (response: IncomingMessage) => void;
type RequestFunction = typeof https.request;

interface Redirect {
  hostname: string;
  port: number;
}

/** `host[:port]` (port 443 when absent, as for an https URL) → the local gateway. */
const redirects = new Map<string, Redirect>();
let original: { request: RequestFunction; get: typeof https.get; lookup: typeof dns.lookup } | null = null;

/**
 * `*.localhost` resolves to the loopback address (RFC 6761), as systemd-resolved and browsers do but glibc
 * does not: the local queues' URLs are `http://sqs.{region}.localhost:{port}/...`, and the SQS client sends
 * to a queue URL's own host.
 */
function localhostLookup(lookup: typeof dns.lookup): typeof dns.lookup {
  return ((hostname: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as dns.LookupOptions).all === true;
    if (!hostname.toLowerCase().endsWith('.localhost')) {
      return (lookup as (...args: unknown[]) => void)(hostname, options, callback);
    }
    process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  }) as typeof dns.lookup;
}

const hostKey = (hostname: string, port: number | string | null | undefined): string =>
  `${hostname.toLowerCase()}:${port === undefined || port === null || port === '' ? 443 : Number(port)}`;

function keyOf(host: string): string {
  const match = /^(.*?)(?::(\d+))?$/.exec(host);
  return hostKey(match?.[1] ?? host, match?.[2]);
}

interface Target {
  options: RequestOptions;
  callback: ResponseListener | undefined;
}

/** `https.request`'s three call forms (url, url + options, options), as one options object. */
function normalise(args: unknown[]): Target {
  const [first, second, third] = args;
  if (typeof first === 'string' || first instanceof URL) {
    const url = typeof first === 'string' ? new URL(first) : first;
    const fromUrl: RequestOptions = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${url.pathname}${url.search}`,
      ...(url.username || url.password
        ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
        : {}),
    };
    if (typeof second === 'function') return { options: fromUrl, callback: second as ResponseListener };
    return {
      options: { ...fromUrl, ...((second as RequestOptions | undefined) ?? {}) },
      callback: third as ResponseListener | undefined,
    };
  }
  return { options: (first as RequestOptions | undefined) ?? {}, callback: second as ResponseListener | undefined };
}

function redirectFor(options: RequestOptions): Redirect | undefined {
  const hostname = options.hostname ?? options.host?.replace(/:\d+$/, '') ?? 'localhost';
  return redirects.get(hostKey(hostname, options.port ?? options.defaultPort));
}

/** The same request over plain http to the gateway: the https agent and TLS options are dropped. */
function toGateway(options: RequestOptions, redirect: Redirect): RequestOptions {
  const {
    agent: _httpsAgent,
    _defaultAgent,
    createConnection: _tlsConnection,
    defaultPort: _httpsPort,
    host: _host,
    ...rest
  } = options as RequestOptions & { _defaultAgent?: unknown };
  for (const tls of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized', 'ALPNProtocols']) {
    delete (rest as Record<string, unknown>)[tls];
  }
  return { ...rest, protocol: 'http:', hostname: redirect.hostname, port: redirect.port };
}

function patchedRequest(...args: unknown[]): ClientRequest {
  const target = normalise(args);
  const redirect = redirectFor(target.options);
  if (!redirect || !original) return (original?.request ?? https.request)(...(args as Parameters<RequestFunction>));
  return http.request(toGateway(target.options, redirect), target.callback);
}

function patchedGet(...args: unknown[]): ClientRequest {
  const request = patchedRequest(...args);
  request.end();
  return request;
}

/**
 * Makes unmodified AWS SDK v3 code in this process (a function's worker) reach the local gateway when it
 * targets the API's AWS endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`, as AWS's
 * samples build it) or `https://{domainName}/{stage}` with the domain name the local events carry: such
 * `node:https` requests go over plain http to `gatewayEndpoint`, path and headers unchanged (so a SigV4
 * signature still matches the Host header it signed). Every other host is left alone, and names under
 * `.localhost` resolve to the loopback address (the local queues' URLs use them).
 *
 * Written by hand: interceptors such as nock answer requests themselves or pass them through unchanged;
 * none sends an https request to another host over http.
 */
export function installAwsRedirect(options: AwsRedirectOptions): void {
  const gateway = new URL(options.gatewayEndpoint);
  const redirect: Redirect = { hostname: gateway.hostname, port: Number(gateway.port || 80) };
  for (const host of [...options.apiHosts, gateway.host]) redirects.set(keyOf(host), redirect);
  if (original) return;
  original = { request: https.request, get: https.get, lookup: dns.lookup };
  https.request = patchedRequest as RequestFunction;
  https.get = patchedGet as typeof https.get;
  dns.lookup = localhostLookup(original.lookup);
  // `import { request } from 'node:https'` in ES modules sees the patched functions too.
  syncBuiltinESMExports();
}

/**
 * Forgets the hosts of `options`; the last one gone gives `node:https` back. Only for a process that runs
 * functions of several stacks, one after another (tests): a worker keeps its redirect for life.
 */
export function removeAwsRedirect(options: AwsRedirectOptions): void {
  for (const host of [...options.apiHosts, new URL(options.gatewayEndpoint).host]) redirects.delete(keyOf(host));
  if (redirects.size > 0 || !original) return;
  https.request = original.request;
  https.get = original.get;
  dns.lookup = original.lookup;
  original = null;
  syncBuiltinESMExports();
}
