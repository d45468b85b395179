import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { VerifyDeployError } from './verify-deploy-error';

const RUNNER = join(__dirname, 'bundle-runner.cjs');

/** The Lambda runtime this check stands in for. */
export const RUNTIME = 'nodejs22.x';

/**
 * The packages the `nodejs22.x` runtime provides to every function: the AWS SDK for JavaScript v3, i.e.
 * `@aws-sdk/*` (their own dependencies come with them). Nothing else from npm is there.
 */
export function runtimeProvides(specifier: string): boolean {
  return specifier.startsWith('@aws-sdk/');
}

/**
 * A folder whose `node_modules` holds only the `@aws-sdk/*` packages of an install (links to them): on
 * `NODE_PATH`, it is what a function sees of the runtime's `/var/runtime/node_modules`. The SDK packages
 * still reach their own dependencies through their real path, as they do in the runtime.
 */
export function createRuntimeModules(installDir: string, runtimeDir: string): string {
  const scope = join(runtimeDir, 'node_modules', '@aws-sdk');
  mkdirSync(scope, { recursive: true });
  const sdk = join(installDir, 'node_modules', '@aws-sdk');
  for (const name of existsSync(sdk) ? readdirSync(sdk) : []) {
    if (!existsSync(join(scope, name))) symlinkSync(join(sdk, name), join(scope, name), 'dir');
  }
  return join(runtimeDir, 'node_modules');
}

/** The nearest `node_modules` folder Node would search from a bundle's folder, if any. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

export interface BundleFunctionOptions {
  logicalId: string;
  /** The file Lambda loads (`<artifacts>/connect.js`) and the export it calls. */
  file: string;
  exportName: string;
  /** The function's environment: the template's variables, resolved, plus where the local stack is. */
  environment: Record<string, string>;
  /** `node_modules` with what the runtime provides; on NODE_PATH. */
  runtimeModules: string;
  timeoutSeconds: number;
  memoryMb: number;
}

type RunnerMessage =
  | { type: 'ready' }
  | { type: 'no-handler'; exports: string[] }
  | { type: 'load-failed'; error: RunnerError }
  | { type: 'result'; id: number; result?: unknown; error?: RunnerError };

interface RunnerError {
  name: string;
  message: string;
  missingModule?: string;
  stack?: string;
}

/** A thrown handler error, as Lambda reports it (`FunctionError: Unhandled`). */
export class HandlerError extends Error {
  override name = 'HandlerError';
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One built function, loaded in a fresh Node process of its own that sees only Node's built-in modules,
 * the bundle, and the runtime's packages: like a Lambda container, it is kept for every invocation.
 */
export class BundleFunction {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | undefined;

  private constructor(
    readonly options: BundleFunctionOptions,
    private readonly child: ChildProcess,
  ) {}

  /** Starts the process and loads the bundle; fails with the function, the file and the reason. */
  static async start(options: BundleFunctionOptions): Promise<BundleFunction> {
    const { logicalId, file, exportName } = options;
    const name = basename(file);
    const leak = nodeModulesAbove(dirname(file));
    if (leak) {
      throw new VerifyDeployError(
        logicalId,
        'load',
        `${name} is below ${leak}, where Node would find packages the runtime lacks: build it elsewhere`,
      );
    }
    const child = fork(RUNNER, [file, exportName], {
      cwd: dirname(file),
      execArgv: [],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...options.environment,
        NODE_PATH: options.runtimeModules,
        LAMBDA_TASK_ROOT: dirname(file),
        AWS_LAMBDA_FUNCTION_NAME: logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_EXECUTION_ENV: `AWS_Lambda_${RUNTIME}`,
        _HANDLER: `${relative(dirname(file), file).replace(/\.[cm]?js$/, '')}.${exportName}`,
        TZ: ':UTC',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // The function's own output, shown only when its process dies; the last chunks are enough.
    const output: string[] = [];
    const keep = (chunk: Buffer): void => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);

    const first = await new Promise<RunnerMessage | { type: 'exit'; code: number | null }>((resolve) => {
      child.once('message', (message: RunnerMessage) => resolve(message));
      child.once('exit', (code) => resolve({ type: 'exit', code }));
    });
    const fail = (detail: string): never => {
      child.kill();
      throw new VerifyDeployError(logicalId, 'load', detail);
    };
    switch (first.type) {
      case 'ready':
        break;
      case 'no-handler':
        return fail(`${name} exports no function ${exportName}; it exports: ${first.exports.join(', ') || 'nothing'}`);
      case 'load-failed': {
        const missing = first.error.missingModule;
        if (missing !== undefined && !missing.startsWith('.') && !missing.startsWith('/')) {
          const why = runtimeProvides(missing)
            ? `which is not among the runtime's @aws-sdk packages installed here`
            : `which the ${RUNTIME} runtime does not provide (only @aws-sdk/* is there): bundle it, do not mark it External`;
          return fail(`${name} requires ${missing}, ${why}`);
        }
        return fail(`${name} throws while loading: ${first.error.name}: ${first.error.message}`);
      }
      case 'exit':
        return fail(
          `${name}: the process exited (code ${String(first.code)}) while loading: ${output.join('').trim().slice(-2000)}`,
        );
      default:
        return fail(`unexpected message from the runner: ${JSON.stringify(first)}`);
    }

    const bundle = new BundleFunction(options, child);
    child.on('message', (message: RunnerMessage) => bundle.settle(message));
    child.on('exit', (code) => {
      bundle.exited = new VerifyDeployError(
        logicalId,
        'invoke',
        `the process exited (code ${String(code)}): ${output.join('').trim().slice(-2000)}`,
      );
      for (const { reject } of bundle.pending.values()) reject(bundle.exited);
      bundle.pending.clear();
    });
    return bundle;
  }

  /** Invokes the handler with an event; resolves with what it returns, rejects with a HandlerError. */
  invoke(event: unknown): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.next;
    const { logicalId, timeoutSeconds, memoryMb } = this.options;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VerifyDeployError(logicalId, 'invoke', `timed out after ${timeoutSeconds} s`));
      }, timeoutSeconds * 1000);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, event, functionName: logicalId, timeoutMs: timeoutSeconds * 1000, memoryMb });
    });
  }

  private settle(message: RunnerMessage): void {
    if (message.type !== 'result') return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.error) waiting.reject(new HandlerError(message.error.name, message.error.message));
    else waiting.resolve(message.result);
  }

  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await gone;
  }
}
