import type { RequestAuthorizerModel } from './stack-model';
import type { AuthorizerContext, WebSocketEvent } from './websocket-events';

/** API Gateway's answer to an authorizer run: the handshake goes on, or is refused with this status. */
export type AuthorizerDecision =
  | { kind: 'allow'; authorizer: AuthorizerContext }
  | { kind: 'refuse'; status: 401 | 403 | 500; reason: string };

/** The handshake's headers and query string, to look the identity sources up in. */
export interface IdentityRequest {
  /** Node's `rawHeaders`: name/value pairs. */
  rawHeaders: string[];
  /** The query string without `?`. */
  query: string;
}

const HEADER = 'route.request.header.';
const QUERY = 'route.request.querystring.';

/** True for the identity source expressions the local gateway can evaluate (a template check uses it). */
export const isSupportedIdentitySource = (source: string): boolean =>
  (source.startsWith(HEADER) && source.length > HEADER.length) ||
  (source.startsWith(QUERY) && source.length > QUERY.length);

/**
 * The first identity source that the request lacks (or has empty), if any. API Gateway answers 401 without
 * running the authorizer then. Header names match whatever their case; query parameter names exactly.
 */
export function missingIdentitySource(authorizer: RequestAuthorizerModel, request: IdentityRequest): string | null {
  const query = new URLSearchParams(request.query);
  for (const source of authorizer.identitySources) {
    let value: string | null | undefined;
    if (source.startsWith(HEADER)) {
      const name = source.slice(HEADER.length).toLowerCase();
      for (let i = 0; i + 1 < request.rawHeaders.length && !value; i += 2)
        if (request.rawHeaders[i]?.toLowerCase() === name) value = request.rawHeaders[i + 1];
    } else if (source.startsWith(QUERY)) {
      value = query.get(source.slice(QUERY.length));
    }
    if (!value) return source;
  }
  return null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM's wildcards: `*` any run of characters, `?` any one character. */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

type PolicyVerdict = 'allow' | 'deny' | 'malformed';

/** Evaluates the policy as API Gateway does for `execute-api:Invoke` on the method ARN: an explicit Deny wins. */
function evaluatePolicy(policy: unknown, methodArn: string): PolicyVerdict {
  if (!isObject(policy)) return 'malformed';
  const statements = listOf(policy.Statement);
  if (statements.length === 0) return 'malformed';
  let allowed = false;
  for (const statement of statements) {
    if (!isObject(statement)) return 'malformed';
    const { Effect: effect } = statement;
    if (effect !== 'Allow' && effect !== 'Deny') return 'malformed';
    const actions = listOf(statement.Action);
    const resources = listOf(statement.Resource);
    if (![...actions, ...resources].every((v) => typeof v === 'string')) return 'malformed';
    const applies =
      (actions as string[]).some((a) => wildcardMatches(a, 'execute-api:Invoke', true)) &&
      (resources as string[]).some((r) => wildcardMatches(r, methodArn, false));
    if (applies && effect === 'Deny') return 'deny';
    if (applies) allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}

/**
 * Reads an authorizer's response as API Gateway does: a `principalId`, a policy that allows
 * `execute-api:Invoke` on the method ARN (else 403), and a flat `context` of strings, numbers and booleans,
 * which reach the routes as strings. Anything else is a configuration error: 500.
 */
export function decideFromAuthorizerResponse(response: unknown, methodArn: string): AuthorizerDecision {
  if (!isObject(response)) return { kind: 'refuse', status: 500, reason: 'the response is not an object' };
  const { principalId, policyDocument, context } = response;
  if (typeof principalId !== 'string' && typeof principalId !== 'number')
    return { kind: 'refuse', status: 500, reason: 'the response has no principalId' };
  if (context !== undefined && context !== null && !isObject(context))
    return { kind: 'refuse', status: 500, reason: 'context is not an object' };
  const authorizer: AuthorizerContext = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return { kind: 'refuse', status: 500, reason: `context.${key} is not a string, number or boolean` };
    authorizer[key] = String(value);
  }
  authorizer.principalId = String(principalId);
  const verdict = evaluatePolicy(policyDocument, methodArn);
  if (verdict === 'malformed') return { kind: 'refuse', status: 500, reason: 'policyDocument is malformed' };
  if (verdict === 'deny') return { kind: 'refuse', status: 403, reason: `the policy does not allow ${methodArn}` };
  return { kind: 'allow', authorizer };
}

/**
 * What a failed authorizer invocation means: a function that fails with exactly `Unauthorized` (the
 * convention of Lambda authorizers) is a 401; any other error is a 500.
 */
export function decideFromAuthorizerError(error: unknown): AuthorizerDecision {
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'Unauthorized') return { kind: 'refuse', status: 401, reason: 'the authorizer said Unauthorized' };
  return { kind: 'refuse', status: 500, reason: `the authorizer failed: ${message}` };
}

/**
 * The input of a REQUEST authorizer on `$connect`, from the `$connect` event of the same handshake: its headers,
 * query string and request context, the method ARN and no stage variables.
 */
export function authorizerRequestOf(connectEvent: WebSocketEvent, methodArn: string) {
  const { requestContext, headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters } =
    connectEvent;
  return {
    type: 'REQUEST' as const,
    methodArn,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    stageVariables: {},
    requestContext,
  };
}

export interface RequestAuthorizerRun {
  authorizer: RequestAuthorizerModel;
  request: IdentityRequest;
  /** The `$connect` event of the handshake, which the authorizer's input is made from. */
  connectEvent: () => WebSocketEvent;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect`. */
  methodArn: string;
  invoke: (functionId: string, event: unknown) => Promise<unknown>;
}

/** API Gateway's REQUEST authorizer step: 401 without running the function when an identity source is missing. */
export async function runRequestAuthorizer(run: RequestAuthorizerRun): Promise<AuthorizerDecision> {
  const missing = missingIdentitySource(run.authorizer, run.request);
  if (missing !== null) return { kind: 'refuse', status: 401, reason: `${missing} is missing` };
  if (!run.authorizer.functionId) return { kind: 'refuse', status: 500, reason: 'it names no function' };
  try {
    const response = await run.invoke(
      run.authorizer.functionId,
      authorizerRequestOf(run.connectEvent(), run.methodArn),
    );
    return decideFromAuthorizerResponse(response, run.methodArn);
  } catch (error) {
    return decideFromAuthorizerError(error);
  }
}
