import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh copy of a sample event from `events/`. */
export function loadEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'events', `${name}.json`), 'utf8')) as T;
}
