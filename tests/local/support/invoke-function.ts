import type { LocalStack } from '../../../packages/local/src/stack';

export interface InvokeResult {
  /** `Unhandled` when the function failed (its body is then Lambda's error document). */
  functionError: string | null;
  body: Record<string, unknown>;
}

/** A RequestResponse invocation through the stack's local Lambda Invoke API, as `aws lambda invoke` makes it. */
export async function invokeFunction(
  stack: LocalStack,
  functionName: string,
  event: unknown = {},
): Promise<InvokeResult> {
  const response = await fetch(`${stack.connectionsUrl}/2015-03-31/functions/${functionName}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  return {
    functionError: response.headers.get('x-amz-function-error'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
