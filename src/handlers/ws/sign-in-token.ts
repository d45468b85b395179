/**
 * Where a client puts its sign-in token on the WebSocket handshake (docs/auth.md): the `token` query
 * parameter, or, since browsers cannot set headers, the `Sec-WebSocket-Protocol` header, as two offered
 * subprotocols: `switchboard` and the JWT itself (its characters are all valid in a protocol name). The
 * server then accepts `switchboard`, as a browser requires it to accept one of those it offered.
 */
export const SWITCHBOARD_SUBPROTOCOL = 'switchboard';

type Headers = Record<string, string | undefined> | null | undefined;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** The subprotocols the client offered, in its order. */
export function offeredSubprotocols(headers: Headers): string[] {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol');
  return (entry?.[1] ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol.length > 0);
}

/** The sign-in token of a handshake: `?token=`, else a JWT among the offered subprotocols. */
export function signInToken(event: {
  headers?: Headers;
  queryStringParameters?: Record<string, string | undefined> | null;
}): string | undefined {
  const fromQuery = event.queryStringParameters?.token;
  if (fromQuery) return fromQuery;
  return offeredSubprotocols(event.headers).find((protocol) => JWT_SHAPE.test(protocol));
}
