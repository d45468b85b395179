import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * aws-jwt-verify fetches JWKS over https only. A JWKS on this machine's loopback interface (the local
 * issuer of `npm start -- --auth jwt`, a test's key server) is served over plain http, which cannot be
 * intercepted off the machine; this fetcher allows exactly that and hands every other URL to the library's
 * own fetcher, so an http JWKS anywhere else is still refused. Written here because the library has no
 * option for it.
 */
export class LoopbackHttpFetcher implements Fetcher {
  private readonly https = new SimpleFetcher();

  async fetch(uri: string, requestOptions?: Record<string, unknown>, data?: ArrayBuffer): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      return this.https.fetch(uri, requestOptions, data);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`JWKS request to ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  }
}
