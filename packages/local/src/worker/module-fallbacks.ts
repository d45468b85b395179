import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import type { ModuleFallbacks } from './messages';

/** A package name rather than a path, a URL or a Node builtin. */
export function isBareSpecifier(specifier: string): boolean {
  return !/^(\.|\/|[a-zA-Z]+:)/.test(specifier) && !isBuiltin(specifier);
}

/** The packages Lambda's Node.js runtime provides beside the function (`/var/runtime/node_modules`). */
export function isRuntimeProvided(specifier: string): boolean {
  return specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/');
}

/**
 * The folders a bare specifier that the importing file's own folders lack is looked for in next, in order:
 * the function's CodeUri (for a bundle built into a temporary folder), its layers, then for the AWS SDK the
 * copy installed beside this tool. Each is a folder to resolve *from* (Node walks up its node_modules).
 */
export function fallbackFolders(specifier: string, fallbacks: ModuleFallbacks): string[] {
  const folders = [fallbacks.codeDir, ...fallbacks.layerModules.map((modules) => join(modules, '..'))];
  return isRuntimeProvided(specifier) ? [...folders, fallbacks.sdkFrom] : folders;
}

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: { paths?: string[] }): string;
}

/**
 * CommonJS half: wraps Node's `Module._resolveFilename` (the one hook CommonJS resolution has; no public API
 * does this) so that a `require` that fails from the file's own folders retries from the fallback folders.
 * A function's own copy of a package always wins, as in Lambda.
 */
export function installCommonJsFallbacks(fallbacks: ModuleFallbacks): void {
  const Module = require('node:module') as ModuleInternals;
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveWithFallbacks(request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND' || !isBareSpecifier(request)) throw error;
      for (const folder of fallbackFolders(request, fallbacks)) {
        try {
          return original.call(this, request, parent, isMain, { paths: [folder] });
        } catch {
          // Not in this folder: try the next one; the original error is thrown when none has it.
        }
      }
      throw error;
    }
  };
}
