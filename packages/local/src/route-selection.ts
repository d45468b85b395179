/**
 * Picks the route of a frame as API Gateway does for `$request.body.<path>`: a JSON text frame whose value at
 * that path names a route goes there; anything else (binary, not JSON, no such field, no such route) goes to
 * `$default`. Returns null when nothing matches and there is no `$default`.
 */
export function selectRoute(
  expression: string,
  data: Buffer,
  isBinary: boolean,
  routeKeys: ReadonlySet<string>,
): string | null {
  const fallback = routeKeys.has('$default') ? '$default' : null;
  const match = /^\$request\.body\.(.+)$/.exec(expression.trim());
  if (isBinary || !match?.[1]) return fallback;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return fallback;
  }
  for (const key of match[1].split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fallback;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return fallback;
  const key = String(value);
  return key.startsWith('$') || !routeKeys.has(key) ? fallback : key;
}
