/**
 * The ESM half of module-fallbacks.ts, as a `module.register` resolve hook: an `import` of a bare specifier
 * that fails from the importing file retries from the fallback folders. Loaded by Node's loader on its own,
 * so it imports only builtins and the two small helpers.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleFallbacks } from './messages';
import { fallbackFolders, isBareSpecifier } from './module-fallbacks';

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>;

let fallbacks: ModuleFallbacks | undefined;

export function initialize(data: ModuleFallbacks): void {
  fallbacks = data;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!fallbacks || code !== 'ERR_MODULE_NOT_FOUND' || !isBareSpecifier(specifier)) throw error;
    for (const folder of fallbackFolders(specifier, fallbacks)) {
      try {
        return await next(specifier, { ...context, parentURL: pathToFileURL(join(folder, 'index.js')).href });
      } catch {
        // Not in this folder: try the next one; the original error is thrown when none has it.
      }
    }
    throw error;
  }
}
