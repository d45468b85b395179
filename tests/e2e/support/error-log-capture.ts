/**
 * Collects the ERROR lines that handlers log while it is started (Powertools writes JSON lines to
 * process.stdout and process.stderr), and passes everything through unchanged.
 */
export interface ErrorLogCapture {
  readonly lines: string[];
  stop(): void;
}

export function captureErrorLogs(): ErrorLogCapture {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index] as typeof stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      for (const line of text.split('\n')) {
        if (/"level":"(ERROR|CRITICAL)"|\bERROR\b/.test(line)) lines.push(line);
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  });
  return {
    lines,
    stop() {
      streams.forEach((stream, index) => {
        stream.write = originals[index] as typeof stream.write;
      });
    },
  };
}
