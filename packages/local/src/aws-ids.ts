import { createHash, randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id shaped like API Gateway's connection, request and message ids (`Gg3GqdpYIAMCJOg=`): 15 base64-like
 * characters and `=`. Letters and digits only, so it needs no escaping in an `@connections/{id}` path.
 */
function gatewayId(): string {
  const bytes = randomBytes(15);
  let id = '';
  for (const byte of bytes) id += ALNUM[byte % ALNUM.length];
  return `${id}=`;
}

/** A 10-character lower-case id like an API id (`a1b2c3d4e5`), stable for a given seed. */
function apiId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < 10; i += 1) id += '0123456789abcdefghijklmnopqrstuvwxyz'[(digest[i] ?? 0) % 36];
  return id;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime` format: `09/Feb/2019:19:39:08 +0000`. */
function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** Id and time formats that API Gateway and Lambda use, for events that look like the real ones. */
export const awsIds = { gatewayId, apiId, requestTime, uuid: randomUUID };
