import {
  type ConnectionStatus,
  type SessionFrame,
  type SocketFactory,
  SwitchboardClient,
  type SwitchboardClientOptions,
  type TokenStore,
} from '@switchboard/client';
import { FakeSocket, ManualScheduler } from './fakes';

export function memoryTokenStore(): TokenStore & { tokens: Map<string, string> } {
  const tokens = new Map<string, string>();
  return {
    tokens,
    load: (url) => tokens.get(url),
    save: (url, token) => void tokens.set(url, token),
    clear: (url) => void tokens.delete(url),
  };
}

export function session(overrides: Partial<SessionFrame> = {}): SessionFrame {
  return {
    type: 'session',
    userId: 'u1',
    token: 't1',
    connectionId: 'c1',
    connectedAt: '2024-01-01T00:00:00.000Z',
    resumed: false,
    cursor: 0,
    total: 100,
    ...overrides,
  };
}

/** A client on fake sockets in virtual time, with helpers that play the server's part. */
export function setup(options: Partial<SwitchboardClientOptions> = {}, clock: { startAt?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const createSocket: SocketFactory = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    sockets.push(socket);
    return socket;
  };
  const scheduler = new ManualScheduler(clock.startAt);
  const tokenStore = memoryTokenStore();
  let ids = 0;
  const statuses: ConnectionStatus[] = [];
  const client = new SwitchboardClient({
    createSocket,
    scheduler,
    tokenStore,
    random: () => 0.5,
    newId: () => `id-${++ids}`,
    heartbeatMs: 1000,
    pongTimeoutMs: 500,
    ...options,
  });
  client.on('status', ({ status }) => statuses.push(status));
  const last = (): FakeSocket => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  /** Opens the latest socket and answers its hello. */
  const establish = (frame: Partial<SessionFrame> = {}): FakeSocket => {
    const socket = last();
    socket.open();
    socket.receive(session(frame));
    return socket;
  };
  /** Handshakes closed before they open (a refusal, as the page sees it), `times` in a row, each diagnosed and its retry waited out. */
  const refuseHandshakes = async (times: number): Promise<void> => {
    for (let refusal = 1; refusal <= times; refusal++) {
      last().drop();
      await flush();
      scheduler.advance(30_000);
    }
  };
  return { client, sockets, scheduler, tokenStore, statuses, last, establish, refuseHandshakes };
}

export const URL_ = 'ws://localhost:3001';
export const flush = () => new Promise((resolve) => setImmediate(resolve));
