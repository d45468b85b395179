/** Keys whose contents vary per request (header names, parameters): compared by presence only. */
const LEAVES = new Set([
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'body',
]);

/** The sorted key paths of an event, e.g. `requestContext.identity.sourceIp`: its shape without its values. */
export function eventShape(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>)
    .flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return LEAVES.has(key) ? [path] : [path, ...eventShape(child, path)];
    })
    .sort();
}
