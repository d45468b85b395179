/**
 * The entry of a function's worker thread, its "container": loads the handler once, then runs the invocations
 * the stack posts, several at once, until the stack terminates it (at a timeout, or at stop).
 */
import { register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { describeUnhandledRejection } from '../unhandled-rejections';
import { installAwsRedirect } from './aws-redirect';
import { type Handler, HandlerNotFoundError, loadHandler } from './load-handler';
import { type ContainerData, type ContainerMessage, errorDocument, type InvokeMessage } from './messages';
import { installCommonJsFallbacks } from './module-fallbacks';
import { runAs, runningFunction } from './running-function';

const data = workerData as ContainerData;
const port = parentPort;
if (!port) throw new Error('worker-main runs only as a worker thread');
const post = (message: ContainerMessage): void => port.postMessage(message);

// As in Lambda, stack traces show source lines only when the function's NODE_OPTIONS asks for it.
if (/(^|\s)--enable-source-maps(\s|$)/.test(process.env.NODE_OPTIONS ?? '')) process.setSourceMapsEnabled(true);
installCommonJsFallbacks(data.fallbacks);
installAwsRedirect(data.awsRedirect);
// One stray promise is logged, as Lambda's runtime logs it, and never ends the container (nor the stack).
process.on('unhandledRejection', (reason) => {
  post({
    type: 'log',
    line: describeUnhandledRejection(reason, runningFunction() ?? { functionName: data.functionName }),
  });
});

function contextFor(message: InvokeMessage, settle: (error: unknown, result?: unknown) => void) {
  const { functionName, region, accountId, memoryMb } = data;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${message.requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: (error?: unknown, result?: unknown) => settle(error, result),
    fail: (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))),
    succeed: (result: unknown) => settle(undefined, result),
  };
}

/** Runs one invocation: an async handler's promise, or a callback handler's callback, whichever settles first. */
function invoke(handler: Handler, message: InvokeMessage): void {
  let settled = false;
  const settle = (error: unknown, result?: unknown): void => {
    if (settled) return;
    settled = true;
    if (error) {
      post({ type: 'error', id: message.id, error: errorDocument(error) });
      return;
    }
    try {
      // Lambda hands the caller the result serialised as JSON.
      post({ type: 'result', id: message.id, ...(result === undefined ? {} : { json: JSON.stringify(result) }) });
    } catch (serialising) {
      post({ type: 'error', id: message.id, error: errorDocument(serialising) });
    }
  };
  runAs({ functionName: data.functionName, awsRequestId: message.requestId }, () => {
    try {
      const returned = handler(message.event, contextFor(message, settle), (error, result) => settle(error, result));
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
}

const installEsmFallbacks = (): void => register(data.esmHookUrl, { data: data.fallbacks });

runAs({ functionName: data.functionName }, () =>
  loadHandler(data.entryFile, data.exportName, installEsmFallbacks),
).then(
  (handler) => {
    port.on('message', (message: InvokeMessage) => invoke(handler, message));
    post({ type: 'ready' });
  },
  (error: unknown) => {
    post({ type: 'load-failed', error: errorDocument(error), notFound: error instanceof HandlerNotFoundError });
  },
);
