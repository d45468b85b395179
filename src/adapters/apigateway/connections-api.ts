import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../crypto/node-sha256';

type SignerOptions = ConstructorParameters<typeof SignatureV4>[0];

export interface ConnectionsApiOptions {
  /** `https://{domain}/{stage}` (or the local gateway's `http://` URL). */
  endpoint: string;
  region: string;
  credentials: SignerOptions['credentials'];
  /** Sockets kept open to the endpoint: one per call in flight, so that a broadcast is not capped. */
  maxSockets: number;
  /** Waits between attempts (virtual time in tests). */
  pause?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What a call came back with, once retries were spent: the status, and the body for the logs. */
export interface ConnectionsApiResponse {
  status: number;
  body: string;
}

/** Attempts per call, the AWS SDK's standard retry mode's default. */
const MAX_ATTEMPTS = 3;
/** The SDK's standard mode's backoff: full jitter over 100 ms × 2^attempt, capped at 20 s. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 20_000;
/** A call that has not answered by then is retried (it counts as a network error). */
const REQUEST_TIMEOUT_MS = 5_000;
/** Statuses worth another attempt: throttled, or the service had a transient fault. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * API Gateway's `@connections` API (`POST` and `DELETE /@connections/{id}`) as SigV4-signed HTTP calls on a
 * keep-alive agent, with the AWS SDK's standard retry behaviour. Written by hand, over
 * `@smithy/signature-v4` (the SDK's own signer) and the SDK's credential chain, instead of sending the SDK's
 * `PostToConnectionCommand`: the command resolves its middleware stack and endpoint rules on every call and
 * costs about four times the CPU of this signed call (bench/connections-call-cost.ts, BENCHMARKS.md §10), and
 * a fan-out makes one call per subscriber. The API has two operations with no request shape to
 * serialise, which is all this covers.
 */
export class ConnectionsApi {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly agent: http.Agent;
  private readonly pause: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: ConnectionsApiOptions) {
    this.url = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') {
      throw new Error(`The @connections endpoint must be an http(s) URL, not ${options.endpoint}`);
    }
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region,
      credentials: options.credentials,
      sha256: NodeSha256,
    });
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.agent = this.url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.pause = options.pause ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Sends `data` to the connection. */
  post(connectionId: string, data: string): Promise<ConnectionsApiResponse> {
    return this.call('POST', connectionId, data);
  }

  /** Closes the connection from the server's side. */
  delete(connectionId: string): Promise<ConnectionsApiResponse> {
    return this.call('DELETE', connectionId, undefined);
  }

  private async call(method: string, connectionId: string, body: string | undefined): Promise<ConnectionsApiResponse> {
    for (let attempt = 1; ; attempt += 1) {
      let response: ConnectionsApiResponse;
      try {
        response = await this.once(method, connectionId, body);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        await this.backOff(attempt);
        continue;
      }
      if (!RETRYABLE.has(response.status) || attempt >= MAX_ATTEMPTS) return response;
      await this.backOff(attempt);
    }
  }

  private backOff(attempt: number): Promise<void> {
    return this.pause(Math.floor(this.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)));
  }

  private async once(method: string, connectionId: string, body: string | undefined): Promise<ConnectionsApiResponse> {
    const path = `${this.url.pathname}@connections/${encodeURIComponent(connectionId)}`;
    const headers: Record<string, string> = { host: this.url.host };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const signed = await this.signer.sign({
      method,
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port ? { port: Number(this.url.port) } : {}),
      path,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    // Through the module object, not a destructured `request`: what patches `https.request` sees this call.
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        {
          method,
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port || undefined,
          path,
          headers: signed.headers,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`@connections did not answer in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}
