/** The parts of an API Gateway WebSocket proxy event that the handlers read. */
export interface WebSocketEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    domainName: string;
    stage: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
    identity?: {
      sourceIp?: string;
      userAgent?: string | null;
      /** `AuthMode=iam`: the signer's Cognito identity, when the credentials came from an identity pool. */
      cognitoIdentityId?: string | null;
      /** `AuthMode=iam`: the signer's ARN. */
      userArn?: string | null;
    };
    /** `AuthMode=jwt`: what the authorizer allowed the connection with (`SignInContext`), on every route. */
    authorizer?: Record<string, unknown> | null;
  };
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
  headers?: Record<string, string>;
}

export const OK: WebSocketResult = { statusCode: 200 };
