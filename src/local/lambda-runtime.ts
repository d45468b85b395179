import { existsSync } from 'node:fs';
import { awsIds } from './aws-ids';
import type { FunctionModel } from './stack-model';

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

type Handler = (event: unknown, context: LocalLambdaContext, callback: (error?: unknown, result?: unknown) => void) => unknown;

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
  /** The environment of a function; applied to `process.env` before its module loads and before each call. */
  environmentFor: (fn: FunctionModel) => Record<string, string>;
  region: string;
  accountId: string;
}

export interface LambdaRuntime {
  has(functionId: string): boolean;
  /** Functions whose entry file does not exist. */
  missingEntries(): FunctionModel[];
  invoke(functionId: string, event: unknown): Promise<unknown>;
}

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

/**
 * Runs handlers in this process, like a warm Lambda container per function: the entry module is imported
 * once (under tsx as TypeScript, under jest through swc's require) and kept.
 */
export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const handlers = new Map<string, Promise<Handler>>();

  const applyEnvironment = (fn: FunctionModel): void => {
    Object.assign(process.env, options.environmentFor(fn));
  };

  const load = (fn: FunctionModel): Promise<Handler> => {
    let loaded = handlers.get(fn.logicalId);
    if (!loaded) {
      loaded = (async () => {
        if (!existsSync(fn.entryFile)) throw new FunctionNotFoundError(`${fn.logicalId}: ${fn.entryFile} does not exist`);
        applyEnvironment(fn);
        const mod = (await import(fn.entryFile)) as Record<string, unknown>;
        const fallback = mod.default as Record<string, unknown> | undefined;
        const handler = mod[fn.exportName] ?? fallback?.[fn.exportName];
        if (!isHandler(handler)) throw new FunctionNotFoundError(`${fn.logicalId}: ${fn.entryFile} exports no ${fn.exportName}`);
        return handler;
      })();
      loaded.catch(() => handlers.delete(fn.logicalId));
      handlers.set(fn.logicalId, loaded);
    }
    return loaded;
  };

  /** A function by logical id, or by the `FunctionName` the template gives it (what `!Ref` yields in AWS). */
  const find = (functionId: string): FunctionModel | undefined =>
    options.functions.get(functionId) ?? [...options.functions.values()].find((fn) => fn.functionName === functionId);

  const invoke = async (functionId: string, event: unknown): Promise<unknown> => {
    const fn = find(functionId);
    if (!fn) throw new FunctionNotFoundError(`No function ${functionId} in the template`);
    const handler = await load(fn);
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
        applyEnvironment(fn);
        const returned = handler(event, context, (error, result) => settle(error, result));
        if (returned && typeof (returned as Promise<unknown>).then === 'function') {
          (returned as Promise<unknown>).then((result) => settle(undefined, result), (error: unknown) => settle(error ?? new Error('Handler rejected')));
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
  };
}
