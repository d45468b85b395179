import { awsIds } from './aws-ids';

/** What a Lambda REQUEST authorizer's Allow puts in `requestContext.authorizer`: `principalId` and its context. */
export type AuthorizerContext = Record<string, string>;

/** What API Gateway knows about a connection, kept from the handshake for every later event. */
export interface ConnectionIdentity {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  /** `principalId` and context of the REQUEST authorizer that allowed the connection: in every later event. */
  authorizer?: AuthorizerContext;
}

/** The API a connection belongs to, as it appears in `requestContext`. */
export interface WebSocketApiIdentity {
  apiId: string;
  stage: string;
  domainName: string;
}

export interface WebSocketRequestContext {
  routeKey: string;
  messageId?: string;
  disconnectStatusCode?: number;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  disconnectReason?: string;
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent: string } & Partial<Record<string, string | null>>;
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  /** With a REQUEST authorizer: its `principalId` and context (and `integrationLatency` on `$connect`). */
  authorizer?: Record<string, string | number>;
}

/** The Lambda proxy event of a WebSocket route, as API Gateway sends it. */
export interface WebSocketEvent {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  queryStringParameters?: Record<string, string> | null;
  multiValueQueryStringParameters?: Record<string, string[]> | null;
  requestContext: WebSocketRequestContext;
  body?: string;
  isBase64Encoded: boolean;
}

/** Who signed a `$connect` with `AuthorizationType: AWS_IAM` (the signature checked). */
export interface IamCaller {
  accessKeyId: string;
  accountId: string;
}

/** `requestContext.identity` of an IAM-authorised `$connect`, as API Gateway fills it for a user's keys. */
function iamIdentity(caller: IamCaller, connection: ConnectionIdentity) {
  return {
    accountId: caller.accountId,
    accessKey: caller.accessKeyId,
    caller: caller.accessKeyId,
    user: caller.accessKeyId,
    userArn: `arn:aws:iam::${caller.accountId}:user/local`,
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    principalOrgId: null,
    sourceIp: connection.sourceIp,
    userAgent: connection.userAgent,
  };
}

/** The handshake request, as read from the HTTP upgrade. */
export interface HandshakeRequest {
  /** Raw header name/value pairs in arrival order (Node's `rawHeaders`). */
  rawHeaders: string[];
  /** The query string without `?` (may be empty). */
  query: string;
}

function context(
  api: WebSocketApiIdentity,
  connection: ConnectionIdentity,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
): WebSocketRequestContext {
  const now = Date.now();
  const requestId = awsIds.gatewayId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: awsIds.requestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer ? { authorizer: { ...connection.authorizer } } : {}),
  };
}

/**
 * Multi-value maps are `Map`s, and the event's objects are built with `Object.fromEntries`: a header or query
 * parameter may be named `constructor`, `toString` or `__proto__`, which a plain object already has.
 */
function headersOf(request: HandshakeRequest, api: WebSocketApiIdentity, connection: ConnectionIdentity) {
  /** By lower-case name: the first spelling seen, and every value. */
  const multi = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const entry = multi.get(key);
    if (entry) entry.values.push(value);
    else multi.set(key, { name, values: [value] });
  };
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    if (name.toLowerCase() === 'host') continue;
    add(name, request.rawHeaders[i + 1] as string);
  }
  add('Host', api.domainName);
  add(
    'X-Amzn-Trace-Id',
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${awsIds.uuid().replace(/-/g, '').slice(0, 24)}`,
  );
  add('X-Forwarded-For', connection.sourceIp);
  add('X-Forwarded-Port', api.domainName.split(':')[1] ?? '443');
  add('X-Forwarded-Proto', 'http');
  const entries = [...multi.values()];
  return {
    headers: Object.fromEntries(entries.map(({ name, values }) => [name, values[values.length - 1] as string])),
    multiValueHeaders: Object.fromEntries(entries.map(({ name, values }) => [name, values])),
  };
}

function queryOf(query: string) {
  const multi = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    const values = multi.get(name);
    if (values) values.push(value);
    else multi.set(name, [value]);
  }
  if (multi.size === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const entries = [...multi.entries()];
  return {
    queryStringParameters: Object.fromEntries(
      entries.map(([name, values]) => [name, values[values.length - 1] as string]),
    ),
    multiValueQueryStringParameters: Object.fromEntries(entries),
  };
}

/** Builds the `$connect`, message and `$disconnect` events of one API. */
export function createWebSocketEventBuilder(api: WebSocketApiIdentity) {
  return {
    connect(request: HandshakeRequest, connection: ConnectionIdentity, iam?: IamCaller): WebSocketEvent {
      const requestContext = context(api, connection, '$connect', 'CONNECT');
      if (iam) requestContext.identity = iamIdentity(iam, connection);
      return {
        ...headersOf(request, api, connection),
        ...queryOf(request.query),
        requestContext,
        isBase64Encoded: false,
      };
    },

    message(connection: ConnectionIdentity, routeKey: string, data: Buffer, isBinary: boolean): WebSocketEvent {
      const base = context(api, connection, routeKey, 'MESSAGE');
      const { routeKey: key, ...rest } = base;
      return {
        requestContext: { routeKey: key, messageId: awsIds.gatewayId(), ...rest },
        body: isBinary ? data.toString('base64') : data.toString('utf8'),
        isBase64Encoded: isBinary,
      };
    },

    disconnect(connection: ConnectionIdentity, statusCode: number, reason: string): WebSocketEvent {
      const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
      const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
      const { routeKey, eventType, extendedRequestId, requestTime, messageDirection, ...rest } = context(
        api,
        connection,
        '$disconnect',
        'DISCONNECT',
      );
      return {
        headers,
        multiValueHeaders,
        requestContext: {
          routeKey,
          disconnectStatusCode: statusCode,
          eventType,
          extendedRequestId,
          requestTime,
          messageDirection,
          disconnectReason: reason,
          ...rest,
        },
        isBase64Encoded: false,
      };
    },
  };
}

export type WebSocketEventBuilder = ReturnType<typeof createWebSocketEventBuilder>;
