import { readBody, sendJson } from './http-io';
import type { LambdaRuntime } from './lambda-runtime';
import type { RequestHandler } from './management-api';
import { decodePathPart, parseRequestTarget } from './request-target';

export interface LambdaInvokeApiOptions {
  runtime: LambdaRuntime;
  logEvent: ((line: string) => void) | null;
  log: (line: string) => void;
}

export interface LambdaInvokeApi {
  handler: RequestHandler;
  /** Waits (at most `timeoutMs`) for `Event` invocations still running in the background. */
  drain(timeoutMs: number): Promise<void>;
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** `MyFunction`, `arn:aws:lambda:us-east-1:123456789012:function:MyFunction[:qualifier]` → `MyFunction`. */
function functionId(name: string): string {
  const arn = /(?:^|:)function:([^:]+)/.exec(name);
  return arn?.[1] ?? name.split(':')[0] ?? name;
}

function describe(error: unknown) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
}

/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) over the in-process runtime, so that
 * `@aws-sdk/client-lambda` pointed at `LAMBDA_ENDPOINT` works unchanged: `Event` answers 202 and runs in the
 * background, `RequestResponse` answers 200 with the result (or `X-Amz-Function-Error`).
 */
export function createLambdaInvokeApi(options: LambdaInvokeApiOptions): LambdaInvokeApi {
  const background = new Set<Promise<unknown>>();

  const handle: RequestHandler = (request, response) => {
    const match = PATH.exec(parseRequestTarget(request.url).path);
    if (!match?.[1] || request.method !== 'POST') return false;
    const name = decodePathPart(match[1]);
    if (name === null) {
      sendJson(response, 400, { Type: 'User', message: 'Bad Request' }, { 'x-amzn-ErrorType': 'ValidationException' });
      return true;
    }
    const id = functionId(name);
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    void (async () => {
      const body = (await readBody(request)) ?? Buffer.alloc(0);
      if (!options.runtime.has(id)) {
        return sendJson(
          response,
          404,
          { Type: 'User', message: `Function not found: ${id}` },
          {
            'x-amzn-ErrorType': 'ResourceNotFoundException',
          },
        );
      }
      let event: unknown;
      try {
        event = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendJson(
          response,
          400,
          { Type: 'User', message: 'Could not parse request body into json' },
          {
            'x-amzn-ErrorType': 'InvalidRequestContentException',
          },
        );
      }
      const started = Date.now();
      if (type === 'DryRun') return sendJson(response, 204, undefined);
      if (type === 'Event') {
        sendJson(response, 202, undefined);
        const run = options.runtime.invoke(id, event).then(
          () => options.logEvent?.(`invoke ${id} Event ok ${Date.now() - started}ms`),
          (error: unknown) => options.log(`invoke ${id} Event failed: ${describe(error).errorMessage}`),
        );
        background.add(run);
        void run.finally(() => background.delete(run));
        return undefined;
      }
      try {
        const result = await options.runtime.invoke(id, event);
        options.logEvent?.(`invoke ${id} RequestResponse ok ${Date.now() - started}ms`);
        return sendJson(response, 200, result ?? null, { 'X-Amz-Executed-Version': '$LATEST' });
      } catch (error) {
        options.logEvent?.(`invoke ${id} RequestResponse error ${Date.now() - started}ms`);
        return sendJson(response, 200, describe(error), {
          'X-Amz-Executed-Version': '$LATEST',
          'X-Amz-Function-Error': 'Unhandled',
        });
      }
    })();
    return true;
  };

  return {
    handler: handle,
    drain: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...background]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
