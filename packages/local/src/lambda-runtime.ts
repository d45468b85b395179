import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { awsIds } from './aws-ids';
import { type ConcurrencyLimit, createConcurrencyLimit } from './concurrency-limit';
import type { FunctionModel } from './stack-model';
import type { AwsRedirectOptions } from './worker/aws-redirect';
import { bundle } from './worker/bundle-cache';
import {
  type ContainerLaunch,
  FunctionContainer,
  FunctionNotFoundError,
  FunctionRuntimeError,
} from './worker/function-container';

export { FunctionNotFoundError, FunctionTimeoutError } from './worker/function-container';

/** When containers start: at the first invocation of each function (the default), or all at stack start. */
export type WarmContainers = 'EAGER' | 'LAZY';

export interface LambdaRuntimeOptions {
  functions: Map<string, FunctionModel>;
  /** The variables of a function from the template and the stack, over the Lambda-set ones. */
  environmentFor: (fn: FunctionModel) => Record<string, string>;
  region: string;
  accountId: string;
  /**
   * Invocations of one function that run at once; more wait in a queue, and a function's `Timeout` counts
   * from when its invocation leaves the queue (as Lambda's counts from when it starts). Bursts of connects
   * and disconnects then queue instead of all timing out together in one container.
   */
  concurrencyPerFunction: number;
  /** What each container's AWS SDK calls to API Gateway are sent to (see worker/aws-redirect.ts). */
  awsRedirect: AwsRedirectOptions;
  /** Lines about containers: unhandled rejections, timeouts, crashes, load errors at an eager start. */
  log: (line: string) => void;
}

export interface LambdaRuntime {
  has(functionId: string): boolean;
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Stops every container. */
  close(): void | Promise<void>;
}

export interface WorkerLambdaRuntime extends LambdaRuntime {
  /** Starts every function's container now, logging each that fails to load (`--warm-containers EAGER`). */
  warmAll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The host variables a function sees: those Lambda's environment also has (the path, locale, time zone, and
 * where temporary files go). Any other (a GITHUB_TOKEN, a stray TABLE_NAME, the host's AWS identity) would
 * let code pass locally that fails in Lambda.
 */
const FROM_HOST = ['PATH', 'LANG', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH'] as const;

let workerFiles: Promise<{ workerFile: string; esmHookUrl: string }> | null = null;

/**
 * The worker entry and the ESM resolve hook, bundled once per process to CommonJS and ESM files: they must
 * load in plain Node whether this tool runs under Node, tsx or jest (whose transform does not reach workers).
 */
function containerFiles(): Promise<{ workerFile: string; esmHookUrl: string }> {
  workerFiles ??= (async () => {
    const folder = join(__dirname, 'worker');
    // A built package ships both files bundled (scripts/build.mjs); from source they are bundled once here.
    const built = { workerFile: join(folder, 'worker-main.cjs'), hookFile: join(folder, 'esm-fallback-hook.mjs') };
    if (existsSync(built.workerFile) && existsSync(built.hookFile))
      return { workerFile: built.workerFile, esmHookUrl: pathToFileURL(built.hookFile).href };
    const common = { workingDir: folder, target: `node${process.versions.node.split('.')[0]}`, external: [] };
    const [workerFile, hookFile] = await Promise.all([
      bundle({ ...common, entry: join(folder, 'worker-main.ts'), format: 'cjs' }),
      bundle({ ...common, entry: join(folder, 'esm-fallback-hook.ts'), format: 'esm' }),
    ]);
    return { workerFile, esmHookUrl: pathToFileURL(hookFile).href };
  })();
  workerFiles.catch(() => {
    workerFiles = null;
  });
  return workerFiles;
}

/**
 * Runs each function in a container of its own, as Lambda does (see worker/function-container.ts): its own
 * worker thread, module cache and `process.env`, loaded as `sam build` and Lambda would load it.
 */
export function createLambdaRuntime(options: LambdaRuntimeOptions): WorkerLambdaRuntime {
  const containers = new Map<string, FunctionContainer>();
  const limits = new Map<string, ConcurrencyLimit>();
  /**
   * Set by close(): an invocation arriving later (an Event invoke still queued, a pending SQS batch) would
   * otherwise start a fresh container that nothing ever stops.
   */
  let closed = false;
  const refuseIfClosed = (fn: FunctionModel): void => {
    if (closed) throw new FunctionRuntimeError(`${fn.logicalId}: the stack stopped`);
  };

  const environment = (fn: FunctionModel): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const name of FROM_HOST) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, {
      LAMBDA_TASK_ROOT: fn.codeDir,
      _HANDLER: fn.handler,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
      ...(fn.layerModules.length > 0 ? { NODE_PATH: fn.layerModules.join(delimiter) } : {}),
    });
    return { ...env, ...options.environmentFor(fn) };
  };

  const prepare = async (fn: FunctionModel): Promise<ContainerLaunch> => {
    if (!existsSync(fn.entryFile)) throw new FunctionNotFoundError(`${fn.logicalId}: ${fn.entryFile} does not exist`);
    const [files, entryFile] = await Promise.all([
      containerFiles(),
      fn.build ? bundle({ entry: fn.entryFile, workingDir: fn.codeDir, ...fn.build }) : fn.entryFile,
    ]);
    return {
      workerFile: files.workerFile,
      env: environment(fn),
      data: {
        functionName: fn.logicalId,
        entryFile,
        exportName: fn.exportName,
        memoryMb: fn.memoryMb,
        region: options.region,
        accountId: options.accountId,
        fallbacks: { codeDir: fn.codeDir, layerModules: fn.layerModules, sdkFrom: __dirname },
        esmHookUrl: files.esmHookUrl,
        awsRedirect: options.awsRedirect,
      },
    };
  };

  const containerOf = (fn: FunctionModel): FunctionContainer => {
    let container = containers.get(fn.logicalId);
    if (!container) {
      container = new FunctionContainer({
        functionName: fn.logicalId,
        timeoutSeconds: fn.timeoutSeconds,
        prepare: () => prepare(fn),
        log: options.log,
      });
      containers.set(fn.logicalId, container);
    }
    return container;
  };

  const limitOf = (fn: FunctionModel): ConcurrencyLimit => {
    let limit = limits.get(fn.logicalId);
    if (!limit) {
      limit = createConcurrencyLimit(options.concurrencyPerFunction);
      limits.set(fn.logicalId, limit);
    }
    return limit;
  };

  /** A function by logical id, or by the `FunctionName` the template gives it (what `!Ref` yields in AWS). */
  const find = (functionId: string): FunctionModel | undefined =>
    options.functions.get(functionId) ?? [...options.functions.values()].find((fn) => fn.functionName === functionId);

  return {
    has: (functionId) => find(functionId) !== undefined,
    async invoke(functionId, event) {
      const fn = find(functionId);
      if (!fn) throw new FunctionNotFoundError(`No function ${functionId} in the template`);
      refuseIfClosed(fn);
      const release = await limitOf(fn).acquire();
      try {
        refuseIfClosed(fn);
        return await containerOf(fn).invoke(event, awsIds.uuid());
      } finally {
        release();
      }
    },
    async warmAll() {
      const functions = [...options.functions.values()].filter((fn) => existsSync(fn.entryFile));
      const results = await Promise.allSettled(functions.map((fn) => containerOf(fn).warm()));
      results.forEach((result, i) => {
        if (result.status === 'rejected')
          options.log(`! ${functions[i]?.logicalId} failed to load: ${(result.reason as Error).message}`);
      });
    },
    async close() {
      closed = true;
      await Promise.all([...containers.values()].map((container) => container.stop()));
    },
  };
}
