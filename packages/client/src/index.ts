/**
 * @switchboard/client: the Switchboard protocol client for browsers and Node 20+. No runtime dependencies;
 * Node-only helpers (a token file) are in `@switchboard/client/node`.
 */

export type { BackoffOptions } from './backoff.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { OutgoingChat, OutgoingState } from './chat-outbox.js';
export type { RoomInfo, RoomStatus } from './chat-rooms.js';
export type { ChatTextCheck } from './chat-text.js';
export { checkChatText } from './chat-text.js';
export type { ChatOutcome, ClientEvents, ConnectionStatus, StatusChange } from './client-events.js';
export type { SwitchboardClientOptions } from './client-options.js';
export type { DisplayNameCheck } from './display-name.js';
export { checkDisplayName } from './display-name.js';
export type { EndpointSources } from './endpoint.js';
export { DEFAULT_WS_URL, handshakeUrl, httpUrlOf, isWebSocketUrl, resolveWsUrl } from './endpoint.js';
export type { ClientRule } from './errors.js';
export {
  ClientClosedError,
  EmptyChatError,
  FrameTooLargeError,
  InvalidNameError,
  InvalidRoomError,
  InvalidSinceError,
  InvalidTopicError,
  InvalidUrlError,
  MessageTooDeepError,
  MessageTooLargeError,
  NotInRoomError,
  NoWebSocketError,
  SignedInResetError,
  SwitchboardClientError,
  UnprintableTextError,
} from './errors.js';
export type { FeedUpdate } from './feed-buffer.js';
export { FeedBuffer } from './feed-buffer.js';
export { jwtExpiry } from './jwt-expiry.js';
export type { ConnectionEvent, ConnectionState } from './machine.js';
export { allTransitions, nextState, TRANSITIONS } from './machine.js';
export type { GatewayErrorFrame, ParsedFrame } from './parse-frames.js';
export { parseGatewayError, parseServerFrame } from './parse-frames.js';
export type { PublishFailure, PublishOutcome, PublishTicket } from './publish-outbox.js';
export type { Scheduler } from './scheduler.js';
export { realScheduler } from './scheduler.js';
export type { SocketFactory, SocketHandle, SocketHandlers, WebSocketConstructor } from './socket.js';
export { browserSocketFactory, createWebSocketFactory } from './socket.js';
export { SwitchboardClient } from './switchboard-client.js';
export type { TokenProvider, TokenReason, TokenTransport } from './token-provider.js';
export { SIGN_IN_SUBPROTOCOL } from './token-provider.js';
export type { TokenStore, WebStorageLike } from './token-stores.js';
export { memoryTokenStore, webStorageTokenStore } from './token-stores.js';
export { checkTopicMessage } from './topic-message.js';
export type { TopicStatus } from './topic-streams.js';
export type * from './wire/frames.js';
export { ERROR_CODES, SERVER_FRAME_TYPES } from './wire/frames.js';
export { DEFAULT_ROOM, GATEWAY, isValidRoomName, isValidTopicName, LIMITS, TEXT_RULE, userTag } from './wire/rules.js';
