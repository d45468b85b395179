import { NoWebSocketError } from './errors.js';

/** What the client needs from one WebSocket connection. */
export interface SocketHandle {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Callbacks of one connection. `onClose` comes once, whether or not the socket ever opened. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

/** Opens a connection, offering `protocols` when given. The browser's is {@link browserSocketFactory}; tests hand in a fake. */
export type SocketFactory = (url: string, handlers: SocketHandlers, protocols?: string[]) => SocketHandle;

interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

/** A standard WebSocket constructor: the browser's, Node 22's global one, or `WebSocket` from `ws`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/**
 * Adapts a standard WebSocket constructor (the global one by default). A constructor that throws (a
 * malformed URL) becomes a connection that closes before opening, like any other failed handshake.
 */
export function createWebSocketFactory(Ctor?: WebSocketConstructor): SocketFactory {
  return (url, handlers, protocols) => {
    const Impl = Ctor ?? globalWebSocket();
    if (!Impl) throw new NoWebSocketError();
    let socket: WebSocketLike;
    try {
      socket = protocols ? new Impl(url, protocols) : new Impl(url);
    } catch {
      queueMicrotask(() => handlers.onClose(1006, 'invalid URL'));
      return { send: () => undefined, close: () => undefined };
    }
    socket.addEventListener('open', () => handlers.onOpen());
    socket.addEventListener('message', (event) => handlers.onMessage(event.data));
    socket.addEventListener('close', (event) => handlers.onClose(event.code, event.reason));
    // A failure is followed by `close`, which is what the client acts on; `ws` throws an error nobody listens to.
    socket.addEventListener('error', () => undefined);
    return {
      send: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
    };
  };
}

export const browserSocketFactory: SocketFactory = createWebSocketFactory();

/** The global WebSocket (browsers, Node 22+), if there is one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
}
