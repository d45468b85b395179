/** The path and query string of an HTTP request target. */
export interface RequestTarget {
  /** Still percent-encoded, as received (origin form); `/` when there is none. */
  path: string;
  /** Without `?`; empty when there is none. */
  query: string;
}

/**
 * Splits a request target (`request.url`) into path and query without `new URL`, which throws on targets a
 * client may well send (`//`, `//x:y`) and would turn them into a 500 or an unhandled rejection. Accepts the
 * origin form (`/a?b`) and the absolute form (`http://host/a?b`); anything else is the root.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget {
  const raw = target ?? '/';
  const hash = raw.indexOf('#');
  const withoutHash = hash === -1 ? raw : raw.slice(0, hash);
  const mark = withoutHash.indexOf('?');
  let path = mark === -1 ? withoutHash : withoutHash.slice(0, mark);
  const query = mark === -1 ? '' : withoutHash.slice(mark + 1);
  if (!path.startsWith('/')) path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(path)?.[1] ?? '/';
  return { path, query };
}

/** `decodeURIComponent`, or null for a malformed percent-encoding (`%ZZ`, a lone `%`, invalid UTF-8). */
export function decodePathPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch (error) {
    if (error instanceof URIError) return null;
    throw error;
  }
}
