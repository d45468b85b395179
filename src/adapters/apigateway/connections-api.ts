import http from 'node:http';
import https from 'node:https';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

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
/** The SDK's standard mode's backoff: full jitter over base × 2^attempt, capped at 20 s; throttles back off longer. */
const BACKOFF_BASE_MS = 100;
const THROTTLED_BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 20_000;
/**
 * The SDK's standard mode's retry budget, per client: a retry costs 5 tokens (10 after a timeout), a call that
 * answered gives back what its last retry took (one token when it needed none), and with the bucket empty a
 * failed call is not retried. Under a sustained
 * throttle the client stops adding retries of its own on top of its callers'.
 */
const RETRY_TOKENS = 500;
const RETRY_COST = 5;
const TIMEOUT_RETRY_COST = 10;
/** A call that has not answered by then is retried (it counts as a network error). */
const REQUEST_TIMEOUT_MS = 5_000;
/** Statuses worth another attempt: throttled, or the service had a transient fault. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** A request that got no answer (a socket error or the timeout): worth another attempt. */
class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'NoAnswerError';
  }
}

/**
 * API Gateway's `@connections` API (`POST` and `DELETE /@connections/{id}`) as SigV4-signed HTTP calls on a
 * keep-alive agent, retried as the AWS SDK's standard mode retries (attempts, backoff and retry budget). Written by hand, over
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
  private retryTokens = RETRY_TOKENS;

  constructor(options: ConnectionsApiOptions) {
    this.url = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') {
      throw new Error(`The @connections endpoint must be an http(s) URL, not ${options.endpoint}`);
    }
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region,
      credentials: options.credentials,
      sha256: Hash.bind(null, 'sha256'),
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
    let lastCost = 0;
    for (let attempt = 1; ; attempt += 1) {
      // Signing (credentials included) fails the call at once: only the request itself is tried again.
      const signed = await this.sign(method, connectionId, body);
      let response: ConnectionsApiResponse;
      try {
        response = await this.send(signed, body);
      } catch (error) {
        const cost = error instanceof NoAnswerError && error.timedOut ? TIMEOUT_RETRY_COST : RETRY_COST;
        if (!(error instanceof NoAnswerError) || !this.mayRetry(attempt, cost)) throw error;
        lastCost = cost;
        await this.backOff(attempt, BACKOFF_BASE_MS);
        continue;
      }
      if (!RETRYABLE.has(response.status)) {
        // An answer gives back what its last retry took, or one token when it needed none.
        this.retryTokens = Math.min(RETRY_TOKENS, this.retryTokens + (lastCost || 1));
        return response;
      }
      if (!this.mayRetry(attempt, RETRY_COST)) return response;
      lastCost = RETRY_COST;
      await this.backOff(attempt, response.status === 429 ? THROTTLED_BACKOFF_BASE_MS : BACKOFF_BASE_MS);
    }
  }

  private mayRetry(attempt: number, cost: number): boolean {
    if (attempt >= MAX_ATTEMPTS || this.retryTokens < cost) return false;
    this.retryTokens -= cost;
    return true;
  }

  private backOff(attempt: number, baseMs: number): Promise<void> {
    return this.pause(Math.floor(this.random() * Math.min(BACKOFF_CAP_MS, baseMs * 2 ** attempt)));
  }

  private sign(method: string, connectionId: string, body: string | undefined): Promise<SignedRequest> {
    const path = `${this.url.pathname}@connections/${encodeURIComponent(connectionId)}`;
    const headers: Record<string, string> = { host: this.url.host };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return this.signer
      .sign({
        method,
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        ...(this.url.port ? { port: Number(this.url.port) } : {}),
        path,
        headers,
        ...(body === undefined ? {} : { body }),
      })
      .then((signed) => ({ method, path, headers: signed.headers }));
  }

  private send(signed: SignedRequest, body: string | undefined): Promise<ConnectionsApiResponse> {
    // Through the module object, not a destructured `request`: what patches `https.request` sees this call.
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        {
          method: signed.method,
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port || undefined,
          path: signed.path,
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
          response.on('error', (error) => reject(new NoAnswerError(error.message, false, { cause: error })));
        },
      );
      request.on('timeout', () =>
        request.destroy(new NoAnswerError(`@connections did not answer in ${REQUEST_TIMEOUT_MS} ms`, true)),
      );
      request.on('error', (error) =>
        reject(error instanceof NoAnswerError ? error : new NoAnswerError(error.message, false, { cause: error })),
      );
      request.end(body);
    });
  }
}

interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}
