/** An HTTP response as the HTTP API sends it. */
export interface HttpApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * Maps a handler result the way payload format 2.0 does: an object with `statusCode` is a response; anything
 * else is a 200 `application/json` body of the serialised result.
 */
export function mapHttpApiResult(result: unknown): HttpApiResponse {
  const isResponse = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!isResponse) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const r = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const text =
    r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return {
    statusCode: Number(r.statusCode),
    headers,
    cookies: Array.isArray(r.cookies) ? r.cookies.map(String) : [],
    body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}
