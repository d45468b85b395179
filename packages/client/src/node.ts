/**
 * Node-only helpers (`@switchboard/client/node`), kept out of the main entry so a browser bundle never
 * reaches `node:fs`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenStore } from './token-stores.js';

/**
 * Tokens in a JSON file (`{ [url]: token }`), so a restarted back end resumes its user. Written to a
 * temporary file and renamed, so a crash mid-write never leaves half a file; the file is private (0600).
 */
export function fileTokenStore(path: string): TokenStore {
  const read = (): Record<string, string> => {
    try {
      const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  const write = (tokens: Record<string, string>): void => {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(tokens), { mode: 0o600 });
    renameSync(temporary, path);
  };
  return {
    load: (url) => {
      const token = read()[url];
      return typeof token === 'string' ? token : undefined;
    },
    save: (url, token) => write({ ...read(), [url]: token }),
    clear: (url) => {
      const { [url]: _removed, ...rest } = read();
      write(rest);
    },
  };
}
