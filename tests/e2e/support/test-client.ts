import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type?: string };

/** A real WebSocket client that keeps every frame it receives, for assertions in arrival order. */
export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  static connect(url: string, query: Record<string, string> = {}): Promise<TestClient> {
    const search = new URLSearchParams(query).toString();
    const socket = new WebSocket(search ? `${url}?${search}` : url);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(
          Object.assign(new Error(`handshake refused: ${response.statusCode}`), { statusCode: response.statusCode }),
        );
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends `frame` and waits for the first new frame that matches. */
  async request(frame: unknown, match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const from = this.frames.length;
    this.send(frame);
    return this.next(match, timeoutMs, from);
  }

  /** The first frame (at index >= from) that matches, waiting for it if it has not come yet. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const [found] = await this.waitFor(() => this.frames.slice(from).filter(match), 1, timeoutMs);
    return found as Frame;
  }

  /** Waits until `count` frames match and returns them. */
  async nextN(match: (frame: Frame) => boolean, count: number, timeoutMs = 5000, from = 0): Promise<Frame[]> {
    return this.waitFor(() => this.frames.slice(from).filter(match), count, timeoutMs);
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  async session(): Promise<Frame> {
    return this.request({ action: 'hello' }, (frame) => frame.type === 'session');
  }

  /** Waits for the socket to close and returns its close code. */
  async closed(timeoutMs = 5000): Promise<number> {
    await this.waitFor(() => (this.closeCode === undefined ? [] : [this.closeCode]), 1, timeoutMs);
    return this.closeCode as number;
  }

  close(): void {
    this.socket.close();
  }

  /** Drops the TCP connection without a close frame, as a crashed client or a lost network does. */
  kill(): void {
    this.socket.terminate();
  }

  private waitFor<T>(probe: () => T[], count: number, timeoutMs: number): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found.length < count) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== onWake);
        resolve(found.slice(0, count));
        return true;
      };
      const onWake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== onWake);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${count} frame(s); got ${probe().length}: ${JSON.stringify(this.frames.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.waiters.push(onWake);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
