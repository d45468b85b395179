import { type ClientOptions, WebSocket } from 'ws';

/** A `ws` client that queues frames so that tests can await the next one. */
export interface TestSocket {
  ws: WebSocket;
  /** The next frame (parsed JSON when it is JSON) that matches, within `timeoutMs`. */
  next<T = Record<string, unknown>>(matches?: (frame: T) => boolean, timeoutMs?: number): Promise<T>;
  frames: unknown[];
  closed: Promise<{ code: number; reason: string }>;
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** Opens a socket; rejects with the HTTP status when the handshake is refused. */
export function openSocket(url: string, protocols?: string | string[], options?: ClientOptions): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const frames: unknown[] = [];
    const waiters = new Set<(frame: unknown) => boolean>();
    const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => {
      ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }));
    });
    ws.on('message', (data) => {
      const frame = parse(data.toString());
      frames.push(frame);
      for (const waiter of waiters) if (waiter(frame)) break;
    });
    ws.on('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`handshake refused: ${response.statusCode}`), { status: response.statusCode }));
      ws.terminate();
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        closed,
        next: <T>(matches: (frame: T) => boolean = () => true, timeoutMs = 5000) =>
          new Promise<T>((res, rej) => {
            const seen = frames.findIndex((f) => matches(f as T));
            if (seen >= 0) {
              const [frame] = frames.splice(seen, 1);
              return res(frame as T);
            }
            const timer = setTimeout(() => {
              waiters.delete(waiter);
              rej(new Error(`no matching frame within ${timeoutMs}ms; got ${JSON.stringify(frames)}`));
            }, timeoutMs);
            const waiter = (frame: unknown): boolean => {
              if (!matches(frame as T)) return false;
              clearTimeout(timer);
              waiters.delete(waiter);
              frames.splice(frames.indexOf(frame), 1);
              res(frame as T);
              return true;
            };
            waiters.add(waiter);
            return undefined;
          }),
      }),
    );
  });
}
