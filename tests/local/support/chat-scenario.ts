import type { ClientOptions } from 'ws';
import { openSocket, type TestSocket } from './test-socket';

export interface ChatScenarioOptions {
  /** Appended to the URL of both connections (`?token=...` for an app whose `$connect` wants one). */
  query?: string;
  /** Handshake headers of both connections (an authorizer's identity source). */
  headers?: Record<string, string>;
  /** How long the receiver waits for the message (default 10 s). */
  timeoutMs?: number;
}

export interface ChatScenarioResult {
  /** The frame the second client got. */
  received: unknown;
  /** How each connection closed: sender, then receiver. */
  closes: { code: number; reason: string }[];
}

/**
 * The chat of the classic SAM WebSocket samples, driven by two real `ws` clients: both connect, the first
 * sends `{"action":"sendmessage","data":"hi"}`, the second receives `hi`, both disconnect.
 */
export async function runChatScenario(wsUrl: string, options: ChatScenarioOptions = {}): Promise<ChatScenarioResult> {
  const url = `${wsUrl}${options.query ?? ''}`;
  const clientOptions: ClientOptions | undefined = options.headers ? { headers: options.headers } : undefined;
  const sockets: TestSocket[] = [];
  try {
    const sender = await openSocket(url, undefined, clientOptions);
    sockets.push(sender);
    const receiver = await openSocket(url, undefined, clientOptions);
    sockets.push(receiver);
    sender.ws.send(JSON.stringify({ action: 'sendmessage', data: 'hi' }));
    const received = await receiver.next<unknown>((frame) => frame === 'hi', options.timeoutMs ?? 10_000);
    for (const socket of sockets) socket.ws.close(1000);
    const closes = await Promise.all(sockets.map((socket) => socket.closed));
    return { received, closes };
  } finally {
    for (const socket of sockets) socket.ws.terminate();
  }
}
