/**
 * Why the client asks for a sign-in token. A hint for providers that cache: whatever the reason, return a
 * token that is valid now.
 *
 * - `connect`: the first handshake after `connect()`.
 * - `reconnect`: any later handshake (a lost connection, a new name, the planned reconnect).
 * - `refresh`: the current token expires soon; the connection is renewed on the new one. Return one with a
 *   later `exp`, or the client keeps the connection and asks again later.
 * - `expired`: the server ended the connection because the token expired (`token_expired`).
 * - `refused`: the last handshake with a token was refused before it opened (an expired or revoked token,
 *   or a server that could not be reached: a browser cannot tell).
 */
export type TokenReason = 'connect' | 'reconnect' | 'refresh' | 'expired' | 'refused';

/**
 * Returns a fresh sign-in token (a JWT from the application's identity provider: Cognito, any OIDC
 * issuer, or the local one of `npm start -- --auth jwt`). Asked before every handshake; a throw or a
 * rejection is a failed attempt, retried after the backoff.
 */
export type TokenProvider = (request: { reason: TokenReason }) => string | Promise<string>;

/**
 * Where the sign-in token goes on the handshake: the `token` query parameter, or offered as a WebSocket
 * subprotocol after {@link SIGN_IN_SUBPROTOCOL} (`Sec-WebSocket-Protocol: switchboard, <jwt>`), the one place
 * besides the URL a browser can put it, which keeps it out of URLs and access logs.
 */
export type TokenTransport = 'query' | 'subprotocol';

/** The subprotocol offered before the token, which a server that takes tokens this way accepts. */
export const SIGN_IN_SUBPROTOCOL = 'switchboard';
