import { openSocket, type TestSocket } from './test-socket';

export interface ChatScenarioOptions {
  /** The URL each of the two clients connects to (default: `wsUrl` for both), e.g. to add a token. */
  urlFor?: (client: 0 | 1) => string;
  /** How long to wait for the message and for each close (default 5 s). */
  timeoutMs?: number;
}

const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs}ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * The chat every fixture app must carry, as a SAM WebSocket chat sample does: two clients connect, one sends
 * `{"action":"sendmessage","data":"hi"}`, the other receives the frame `hi`, and both disconnect.
 */
export async function runChatScenario(wsUrl: string, options: ChatScenarioOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const urlFor = options.urlFor ?? (() => wsUrl);
  const sockets: TestSocket[] = [];
  try {
    sockets.push(await openSocket(urlFor(0)));
    sockets.push(await openSocket(urlFor(1)));
    const [sender, receiver] = sockets as [TestSocket, TestSocket];

    sender.ws.send(JSON.stringify({ action: 'sendmessage', data: 'hi' }));

    await receiver.next((frame) => (frame as unknown) === 'hi', timeoutMs);
  } finally {
    for (const socket of sockets) socket.ws.close();
    await Promise.all(sockets.map((s, i) => within(s.closed, timeoutMs, `client ${i} did not close`)));
  }
}
