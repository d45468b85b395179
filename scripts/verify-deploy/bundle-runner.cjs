'use strict';
// Runs one built function in this fresh Node process, as the Lambda runtime does: loads the bundle once, finds
// the Handler's export, then invokes it for every event the parent sends over IPC. Plain CommonJS, so that
// nothing (no tsx, no jest) is loaded into the process but Node and the bundle. Usage (from fork):
//   bundle-runner.cjs <bundle file> <export name>
const [bundleFile, exportName] = process.argv.slice(2);
const send = (message) => process.send(message);

function describe(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const missing = error.code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(error.message) : null;
  return {
    name: error.name,
    message: error.message.split('\n')[0],
    ...(missing ? { missingModule: missing[1] } : {}),
    stack: error.stack,
  };
}

let handler;
try {
  const loaded = require(bundleFile);
  handler = loaded[exportName];
  if (typeof handler !== 'function') {
    send({ type: 'no-handler', exports: Object.keys(loaded) });
  } else {
    send({ type: 'ready' });
  }
} catch (error) {
  send({ type: 'load-failed', error: describe(error) });
}

let requests = 0;
process.on('message', ({ id, event, functionName, timeoutMs, memoryMb }) => {
  const started = Date.now();
  const requestId = `verify-${process.pid}-${++requests}`;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `verify/[$LATEST]${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - Date.now()),
  };
  new Promise((resolve, reject) => {
    const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  }).then(
    (result) => send({ type: 'result', id, result: result === undefined ? null : result }),
    (error) => send({ type: 'result', id, error: describe(error) }),
  );
});
