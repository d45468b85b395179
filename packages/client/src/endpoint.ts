/** The fallback when nothing else names a WebSocket URL: the local gateway of `npm start`. */
export const DEFAULT_WS_URL = 'ws://localhost:3001';

export interface EndpointSources {
  /** `?ws=` on the page's URL. */
  query?: string | null;
  /** The URL the user connected to last time. */
  remembered?: string | null;
  /** `wsUrl` from a `config.json` served beside the page. */
  config?: string | null;
}

/** Picks the WebSocket URL to show: ?ws= > remembered > config.json > the local default. */
export function resolveWsUrl(sources: EndpointSources): string {
  for (const candidate of [sources.query, sources.remembered, sources.config]) {
    const value = candidate?.trim();
    if (value) return value;
  }
  return DEFAULT_WS_URL;
}

/** Whether a string is a ws:// or wss:// URL the browser can open. */
export function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}

/** The handshake URL: the base URL with `token` and `name` set (and any of the user's own parameters kept). */
export function handshakeUrl(base: string, params: { token?: string | undefined; name?: string | undefined }): string {
  const url = new URL(base);
  url.searchParams.delete('token');
  url.searchParams.delete('name');
  if (params.token) url.searchParams.set('token', params.token);
  if (params.name) url.searchParams.set('name', params.name);
  return url.toString();
}

/** The same host over HTTP(S): used to tell "server unreachable" from "handshake refused". */
export function httpUrlOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.search = '';
  return url.toString();
}
