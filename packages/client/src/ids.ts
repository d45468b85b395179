/**
 * A random id for chat and publish frames. `crypto.randomUUID` exists only in secure contexts, and this
 * page may be hosted over plain HTTP, so fall back to `getRandomValues`.
 */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
