/** The parts of an API Gateway HTTP API (payload 2.0) event that the handlers read. */
export interface HttpEvent {
  routeKey: string;
  rawPath?: string;
  body?: unknown;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext?: { http?: { method?: string; sourceIp?: string } };
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export function json(statusCode: number, value: unknown): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}
