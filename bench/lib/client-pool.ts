import WebSocket from 'ws';
import { sleep, withTimeout } from './stats';

export type Frame = Record<string, unknown> & { type?: string };

export interface OpenResult {
  opened: number;
  failed: number;
  /** First few failure reasons (status codes, socket errors). */
  reasons: string[];
  ms: number;
  /** Each successful handshake's time, from the upgrade request to `open`, in ms. */
  handshakeMs: number[];
  /** Each batch's time, from its first upgrade request to its last outcome, in ms. */
  batchMs: number[];
  /** Clients not tried because `giveUpAfter` batches in a row had none open. */
  notTried: number;
}

/**
 * Many real `ws` clients on 127.0.0.1, light enough to hold thousands: every frame goes to one shared
 * listener with the client's index, instead of each client keeping its frames.
 */
export class ClientPool {
  readonly sockets: WebSocket[] = [];
  onFrame: (index: number, frame: Frame, raw: string) => void = () => undefined;
  closed = 0;

  /**
   * Opens `count` more clients, `batch` handshakes at a time, each bounded by `timeoutMs`; stops early, leaving
   * the rest `notTried`, once `giveUpAfter` batches in a row have opened none.
   */
  async open(
    url: string,
    count: number,
    query: Record<string, string> = {},
    batch = 100,
    timeoutMs = 15_000,
    giveUpAfter = Number.POSITIVE_INFINITY,
  ): Promise<OpenResult> {
    const started = performance.now();
    const result: OpenResult = {
      opened: 0,
      failed: 0,
      reasons: [],
      ms: 0,
      handshakeMs: [],
      batchMs: [],
      notTried: 0,
    };
    const search = new URLSearchParams(query).toString();
    const target = search ? `${url}?${search}` : url;
    let emptyBatches = 0;
    for (let done = 0; done < count; done += batch) {
      if (emptyBatches >= giveUpAfter) {
        result.notTried = count - done;
        break;
      }
      const size = Math.min(batch, count - done);
      const batchStarted = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: size }, async () => {
          const t0 = performance.now();
          const outcome = await this.openOne(target, timeoutMs);
          return { outcome, ms: performance.now() - t0 };
        }),
      );
      result.batchMs.push(performance.now() - batchStarted);
      let openedHere = 0;
      for (const { outcome, ms } of outcomes) {
        if (outcome === true) {
          result.opened += 1;
          openedHere += 1;
          result.handshakeMs.push(ms);
        } else {
          result.failed += 1;
          if (result.reasons.length < 5) result.reasons.push(outcome);
        }
      }
      emptyBatches = openedHere === 0 ? emptyBatches + 1 : 0;
    }
    result.ms = performance.now() - started;
    return result;
  }

  get size(): number {
    return this.sockets.length;
  }

  send(index: number, frame: unknown): void {
    this.sockets[index]?.send(JSON.stringify(frame));
  }

  /** Sends `frame` from client `index` and waits for the first frame to it that matches. */
  request(index: number, frame: unknown, match: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const previous = this.onFrame;
    return withTimeout(
      new Promise<Frame>((resolve) => {
        this.onFrame = (i, f, raw) => {
          previous(i, f, raw);
          if (i === index && match(f)) resolve(f);
        };
        this.send(index, frame);
      }),
      timeoutMs,
      `reply to ${JSON.stringify(frame).slice(0, 80)}`,
    ).finally(() => {
      this.onFrame = previous;
    });
  }

  /** Closes every client (a close frame each) and waits, bounded, until their sockets are closed. */
  async closeAll(timeoutMs = 15_000): Promise<void> {
    const open = this.sockets.filter((s) => s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING);
    for (const socket of open) socket.close();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.sockets.some((s) => s.readyState !== WebSocket.CLOSED)) await sleep(20);
    for (const socket of this.sockets) if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    this.sockets.length = 0;
  }

  terminateAll(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.length = 0;
  }

  private openOne(target: string, timeoutMs: number): Promise<true | string> {
    return new Promise((resolve) => {
      const socket = new WebSocket(target, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      let settled = false;
      const settle = (outcome: true | string): void => {
        if (settled) return;
        settled = true;
        if (outcome === true) {
          const index = this.sockets.length;
          this.sockets.push(socket);
          socket.on('message', (data) => {
            const raw = String(data);
            let frame: Frame;
            try {
              frame = JSON.parse(raw) as Frame;
            } catch {
              frame = { type: 'unparsable' };
            }
            this.onFrame(index, frame, raw);
          });
          socket.on('close', () => {
            this.closed += 1;
          });
        } else {
          socket.terminate();
        }
        resolve(outcome);
      };
      socket.once('open', () => settle(true));
      socket.once('unexpected-response', (_request, response) => settle(`HTTP ${String(response.statusCode)}`));
      socket.once('error', (error) => settle(error.message));
      socket.on('error', () => undefined);
    });
  }
}

/** Opens one client without a token, asks `hello`, and returns the session token (then closes it). */
export async function sessionToken(url: string): Promise<string> {
  const pool = new ClientPool();
  const opened = await pool.open(url, 1);
  if (opened.opened !== 1) throw new Error(`could not open a client: ${opened.reasons.join(', ')}`);
  const session = await pool.request(0, { action: 'hello' }, (frame) => frame.type === 'session');
  await pool.closeAll();
  return String(session.token);
}
