import { Worker } from 'node:worker_threads';
import type { ContainerData, ContainerMessage, ErrorDocument, InvokeMessage } from './messages';

/** The entry file or its export is missing: the route answers like an integration failure. */
export class FunctionNotFoundError extends Error {
  override name = 'FunctionNotFoundError';
}

/** The handler ran past the function's `Timeout`; its container was stopped. */
export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

/** The function's code threw while it loaded, or its container ended while invocations ran. */
export class FunctionRuntimeError extends Error {
  override name = 'FunctionRuntimeError';
}

/** An error raised by the function's code, carried over from its worker with its type and stack. */
function fromDocument(document: ErrorDocument): Error {
  const error = new Error(document.errorMessage);
  error.name = document.errorType;
  error.stack = document.trace.join('\n');
  return error;
}

export interface ContainerLaunch {
  /** The worker entry (worker-main bundled to CommonJS). */
  workerFile: string;
  data: ContainerData;
  /** The whole `process.env` of the container. */
  env: Record<string, string>;
}

export interface FunctionContainerOptions {
  functionName: string;
  timeoutSeconds: number;
  /** Builds what a new container starts from (bundles the function when it has esbuild metadata). */
  prepare: () => Promise<ContainerLaunch>;
  log: (line: string) => void;
}

/**
 * Each container is a V8 isolate with a young generation of its own; V8's default lets it grow to tens of MB
 * in a busy worker and keeps it while the worker idles, which every warm function would add to the stack's RSS.
 * Loading a function grows it to the cap at once (much of a module's code survives), and only a
 * memory-reducing GC, which JavaScript cannot ask for, shrinks it again: so an idle container holds its whole
 * young generation. 4 MB holds about 2 MB less per container than 8 MB (heap 15.9 -> 13.8 MB for an SDK
 * client idling) at the same speed on an SDK fan-out (within 1%, 6 rounds); 2 MB (V8's floor) was 30% slower.
 */
const YOUNG_GENERATION_MB = 4;

/**
 * Lambda gives a cold start's init phase 10 s; when it runs past that, Lambda retries the init within the
 * invocation, under the function's `Timeout`. A module that never finishes loading fails after both.
 */
const INIT_PHASE_MS = 10_000;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Running {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * One function's execution environment, as a `worker_threads` Worker with its own module cache and
 * `process.env`: started at the first invocation (a cold start), kept warm, running several invocations at
 * once. A handler past its `Timeout` stops the whole worker, its timers included, and fails the invocations
 * it was running with Lambda's timeout error; the next invocation starts a new one.
 */
export class FunctionContainer {
  private current: Promise<Running> | null = null;
  /** The started worker that `current` resolved to, known synchronously. */
  private live: Running | null = null;
  /** The worker `start()` created, until it is ready: `stop()` and the init limit end it without waiting. */
  private loading: { worker: Worker; abort: (error: Error) => void } | null = null;
  /** Once stopped, a container starts no worker again. */
  private stopped = false;
  private nextId = 1;

  constructor(private readonly options: FunctionContainerOptions) {}

  /** Starts the container now (`--warm-containers EAGER`) rather than at the first invocation. */
  warm(): Promise<void> {
    return this.running().then(() => undefined);
  }

  async invoke(event: unknown, requestId: string): Promise<unknown> {
    const running = await this.running();
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(running), timeoutMs);
      running.pending.set(id, { resolve, reject, timer });
      const message: InvokeMessage = { type: 'invoke', id, requestId, event, deadline: Date.now() + timeoutMs };
      running.worker.postMessage(message);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const error = new FunctionRuntimeError(`${this.options.functionName}: the stack stopped`);
    // A worker still loading may never be ready: end it now rather than wait on `current`.
    this.loading?.abort(error);
    const running = await this.current?.catch(() => null);
    if (running) await this.end(running, error);
  }

  private running(): Promise<Running> {
    if (!this.current) {
      const starting = this.start();
      starting.catch(() => {
        if (this.current === starting) this.current = null;
      });
      this.current = starting;
    }
    return this.current;
  }

  private async start(): Promise<Running> {
    const { workerFile, data, env } = await this.options.prepare();
    if (this.stopped) throw new FunctionRuntimeError(`${data.functionName}: the stack stopped`);
    const worker = new Worker(workerFile, {
      workerData: data,
      env,
      execArgv: [],
      name: data.functionName,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    worker.unref();
    const running: Running = { worker, pending: new Map() };
    const seconds = this.options.timeoutSeconds.toFixed(2);
    let initTimer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((ready, failed) => {
        const abort = (error: Error): void => {
          failed(error);
          void worker.terminate();
        };
        this.loading = { worker, abort };
        initTimer = setTimeout(
          () => {
            this.options.log(
              `${data.functionName} Task timed out after ${seconds} seconds while loading: its container is stopped`,
            );
            abort(new FunctionTimeoutError(`Task timed out after ${seconds} seconds`));
          },
          INIT_PHASE_MS + this.options.timeoutSeconds * 1000,
        );
        const onExit = (code: number): void =>
          failed(
            new FunctionRuntimeError(`${data.functionName}: its container exited with code ${code} while loading`),
          );
        worker.once('error', failed);
        worker.once('exit', onExit);
        worker.on('message', (message: ContainerMessage) => {
          if (message.type === 'ready') {
            worker.off('error', failed);
            worker.off('exit', onExit);
            ready();
          } else if (message.type === 'load-failed') {
            const error = fromDocument(message.error);
            abort(message.notFound ? new FunctionNotFoundError(`${data.functionName}: ${error.message}`) : error);
          } else this.onMessage(running, message);
        });
      });
    } finally {
      clearTimeout(initTimer);
      if (this.loading?.worker === worker) this.loading = null;
    }
    worker.on('error', (error) => {
      this.options.log(`${data.functionName} ERROR its container crashed: ${error.message}`);
      void this.end(running, new FunctionRuntimeError(`${data.functionName}: Runtime exited: ${error.message}`));
    });
    worker.on('exit', () => void this.end(running, new FunctionRuntimeError(`${data.functionName}: Runtime exited`)));
    this.live = running;
    return running;
  }

  private onMessage(running: Running, message: ContainerMessage): void {
    if (message.type === 'log') {
      this.options.log(message.line);
      return;
    }
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = running.pending.get(message.id);
    if (!pending) return;
    running.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.type === 'error') pending.reject(fromDocument(message.error));
    else pending.resolve(message.json === undefined ? undefined : JSON.parse(message.json));
  }

  private timedOut(running: Running): void {
    const seconds = this.options.timeoutSeconds.toFixed(2);
    this.options.log(`${this.options.functionName} Task timed out after ${seconds} seconds: its container is stopped`);
    void this.end(running, new FunctionTimeoutError(`Task timed out after ${seconds} seconds`));
  }

  /**
   * Terminates the worker (if it is still this function's), then fails what it was running: once a caller
   * hears of the failure, the handler's code (its timers too) has stopped.
   */
  private async end(running: Running, error: Error): Promise<void> {
    if (this.live === running) {
      this.live = null;
      this.current = null;
    }
    const failed = [...running.pending.values()];
    running.pending.clear();
    for (const pending of failed) clearTimeout(pending.timer);
    await running.worker.terminate();
    for (const pending of failed) pending.reject(error);
  }
}
