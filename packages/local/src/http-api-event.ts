import { awsIds } from './aws-ids';
import type { JwtAuthorizerContext } from './jwt-authorizer';
import type { HttpRouteModel, JwtAuthorizerModel } from './stack-model';

/** What the HTTP API knows about a request before it becomes an event. */
export interface HttpApiRequest {
  method: string;
  rawPath: string;
  rawQueryString: string;
  /** Raw header name/value pairs (Node's `rawHeaders`). */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
}

export interface HttpApiRouteMatch {
  routeKey: string;
  pathParameters: Record<string, string>;
  authorization: HttpRouteModel['authorization'];
  jwt?: JwtAuthorizerModel;
}

export interface HttpApiIdentity {
  apiId: string;
  domainName: string;
  accountId: string;
}

/** An API Gateway HTTP API payload format 2.0 event (optional keys absent, as API Gateway omits them). */
export interface HttpApiEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { iam: Record<string, string | null> } | { jwt: JwtAuthorizerContext };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  pathParameters?: Record<string, string>;
  isBase64Encoded: boolean;
}

const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|graphql))/i;

/**
 * Builds the 2.0 event of a request the way API Gateway does (lower-case headers, joined duplicates). `jwt`:
 * what the route's JWT authorizer found in the verified token.
 */
export function buildHttpApiEvent(
  request: HttpApiRequest,
  route: HttpApiRouteMatch,
  api: HttpApiIdentity,
  jwt?: JwtAuthorizerContext,
): HttpApiEventV2 {
  // Maps, then Object.fromEntries: a header or parameter may be named `constructor` or `__proto__`.
  const joined = new Map<string, string>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    const value = request.rawHeaders[i + 1] as string;
    const earlier = joined.get(name);
    joined.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const headers: Record<string, string> = Object.fromEntries(joined);
  headers.host = api.domainName;
  headers['x-forwarded-for'] = request.sourceIp;
  headers['x-forwarded-port'] = api.domainName.split(':')[1] ?? '443';
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${awsIds.uuid().replace(/-/g, '').slice(0, 24)}`;
  const cookieHeader = headers.cookie;
  delete headers.cookie;

  const parameters = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(request.rawQueryString)) {
    const earlier = parameters.get(name);
    parameters.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  const query: Record<string, string> = Object.fromEntries(parameters);
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const now = Date.now();
  const requestId = awsIds.gatewayId();

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookieHeader ? { cookies: cookieHeader.split(/;\s*/).filter(Boolean) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      ...(route.authorization === 'AWS_IAM'
        ? { authorizer: { iam: localIamCaller(headers.authorization, api.accountId) } }
        : jwt
          ? { authorizer: { jwt } }
          : {}),
      domainName: api.domainName,
      domainPrefix: api.domainName.split('.')[0]?.split(':')[0] ?? api.domainName,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: awsIds.requestTime(now),
      timeEpoch: now,
    },
    ...(request.body.length ? { body: isText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    ...(Object.keys(route.pathParameters).length ? { pathParameters: route.pathParameters } : {}),
    isBase64Encoded: request.body.length > 0 && !isText,
  };
}

/**
 * The caller is the access key of the Authorization header, if any: with `iam` on, its signature has been
 * checked against the local key pair before the event is built; without, nothing checks it.
 */
function localIamCaller(authorization: string | undefined, accountId: string): Record<string, string | null> {
  const accessKey = /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'local';
  return {
    accessKey,
    accountId,
    callerId: accessKey,
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: `arn:aws:iam::${accountId}:user/local`,
    userId: accessKey,
  };
}
