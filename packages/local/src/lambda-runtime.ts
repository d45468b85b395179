import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { awsIds } from './aws-ids';
import { type ConcurrencyLimit, createConcurrencyLimit } from './concurrency-limit';
import { createFunctionModuleLoader } from './function-modules';
import { acquireProcessEnvView, type FunctionEnvironment, functionEnvironment } from './process-env-view';
import type { FunctionModel } from './stack-model';
import { type AwsRedirectOptions, installAwsRedirect, removeAwsRedirect } from './worker/aws-redirect';

/** The `context` argument of a Lambda handler, as far as local code can need it. */
export interface LocalLambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(result: unknown): void;
}

type Handler = (
  event: unknown,
  context: LocalLambdaContext,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/** The entry file or its export is missing: the route answers like an integration failure. */
export class FunctionNotFoundError extends Error {
  override name = 'FunctionNotFoundError';
}

/** The handler ran past the function's `Timeout`. */
export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

export interface LambdaRuntimeOptions {
  functions: Map<string, FunctionModel>;
  /** The environment of a function: what `process.env` shows its code, at module load and in every call. */
  environmentFor: (fn: FunctionModel) => Record<string, string>;
  region: string;
  accountId: string;
  /**
   * Invocations of one function that run at once; more wait in a queue, and a function's `Timeout` counts
   * from when its invocation leaves the queue (as Lambda's counts from when it starts). Bursts of connects
   * and disconnects then queue instead of all timing out together in one process.
   */
  concurrencyPerFunction: number;
  /** Where SDK calls to the API's AWS endpoint go instead (installed where the functions run). */
  awsRedirect?: AwsRedirectOptions;
}

export interface LambdaRuntime {
  has(functionId: string): boolean;
  /** Functions whose entry file does not exist. */
  missingEntries(): FunctionModel[];
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Gives `process.env` back to the process. */
  close(): void;
}

interface FunctionInstance {
  handler: Handler;
  environment: FunctionEnvironment;
}

/** The function whose code is running: its module load (no request id) or one of its invocations. */
export interface RunningFunction {
  functionName: string;
  awsRequestId?: string;
}

const running = new AsyncLocalStorage<RunningFunction>();

/**
 * The function whose code is running here, also in callbacks and promises it started. Node emits
 * `unhandledRejection` in the rejected promise's context, so a handler for it can name the function.
 */
export function runningFunction(): RunningFunction | undefined {
  return running.getStore();
}

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

/**
 * Runs handlers in this process, like a warm Lambda container per function: the entry module is loaded once
 * per function, with its own instance of every project module (see function-modules.ts) and its own
 * `process.env` (see process-env-view.ts), and kept.
 */
export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const instances = new Map<string, Promise<FunctionInstance>>();
  const limits = new Map<string, ConcurrencyLimit>();
  const modules = createFunctionModuleLoader();
  const envView = acquireProcessEnvView();
  // The functions run in this process, so the redirect is installed here, and removed at close.
  if (options.awsRedirect) installAwsRedirect(options.awsRedirect);

  const load = (fn: FunctionModel): Promise<FunctionInstance> => {
    let loaded = instances.get(fn.logicalId);
    if (!loaded) {
      loaded = (async () => {
        if (!existsSync(fn.entryFile))
          throw new FunctionNotFoundError(`${fn.logicalId}: ${fn.entryFile} does not exist`);
        const environment = functionEnvironment(options.environmentFor(fn));
        const scope = modules.createScope();
        const mod = envView.run(environment, () =>
          running.run({ functionName: fn.logicalId }, () => scope.require(fn.entryFile)),
        ) as Record<string, unknown>;
        const fallback = mod.default as Record<string, unknown> | undefined;
        const handler = mod[fn.exportName] ?? fallback?.[fn.exportName];
        if (!isHandler(handler))
          throw new FunctionNotFoundError(`${fn.logicalId}: ${fn.entryFile} exports no ${fn.exportName}`);
        return { handler, environment };
      })();
      loaded.catch(() => instances.delete(fn.logicalId));
      instances.set(fn.logicalId, loaded);
    }
    return loaded;
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

  const invoke = async (functionId: string, event: unknown): Promise<unknown> => {
    const fn = find(functionId);
    if (!fn) throw new FunctionNotFoundError(`No function ${functionId} in the template`);
    const release = await limitOf(fn).acquire();
    try {
      return await run(fn, await load(fn), event);
    } finally {
      release();
    }
  };

  const run = (fn: FunctionModel, { handler, environment }: FunctionInstance, event: unknown): Promise<unknown> => {
    const timeoutMs = fn.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const requestId = awsIds.uuid();
    let timer: NodeJS.Timeout | undefined;
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, result?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      };
      timer = setTimeout(
        () => settle(new FunctionTimeoutError(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
        timeoutMs,
      );
      const context: LocalLambdaContext = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: fn.logicalId,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.logicalId}`,
        memoryLimitInMB: String(fn.memoryMb),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${fn.logicalId}`,
        logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: (error, result) => settle(error, result),
        fail: (error) => settle(error instanceof Error ? error : new Error(error)),
        succeed: (result) => settle(undefined, result),
      };
      try {
        const returned = envView.run(environment, () =>
          running.run({ functionName: fn.logicalId, awsRequestId: requestId }, () =>
            handler(event, context, (error, result) => settle(error, result)),
          ),
        );
        if (returned && typeof (returned as Promise<unknown>).then === 'function') {
          (returned as Promise<unknown>).then(
            (result) => settle(undefined, result),
            (error: unknown) => settle(error ?? new Error('Handler rejected')),
          );
        } else if (handler.length < 3) {
          settle(undefined, returned);
        }
      } catch (error) {
        settle(error);
      }
    });
  };

  return {
    has: (functionId) => find(functionId) !== undefined,
    missingEntries: () => [...options.functions.values()].filter((fn) => !existsSync(fn.entryFile)),
    invoke,
    close: () => {
      envView.release();
      if (options.awsRedirect) removeAwsRedirect(options.awsRedirect);
    },
  };
}
