import { readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, extname, isAbsolute, resolve as resolvePath, sep } from 'node:path';
import { type Loader, transformSync } from 'esbuild';

/**
 * The host's own `require`: jest's module registry under jest (which transforms ESM-only packages), Node's
 * with tsx's hooks under `npm start`. Packages in node_modules load through it and are shared by all functions.
 */
const hostRequire: NodeJS.Require = require;

/** One function's modules: its own instance of every project file it loads, as in its own Lambda container. */
export interface FunctionModuleScope {
  /** Loads a file (and what it imports) into this scope, once; later calls return the same exports. */
  require(file: string): unknown;
}

export interface FunctionModuleLoader {
  /** A new, empty module cache for one function. */
  createScope(): FunctionModuleScope;
}

interface ScopedModule {
  id: string;
  filename: string;
  path: string;
  exports: unknown;
  loaded: boolean;
}

type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: ScopedModule,
  __filename: string,
  __dirname: string,
) => void;

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};
const EXTENSIONS = [...Object.keys(LOADERS), '.json'];
/** TypeScript written for ESM imports `./x.js` for the file `./x.ts`. */
const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
const inNodeModules = (path: string): boolean => path.split(sep).includes('node_modules');

/** A relative or absolute specifier to a file, trying the extensions and index files TypeScript would. */
function resolveFile(base: string): string | undefined {
  if (isFile(base)) return base;
  const ext = extname(base);
  for (const alternative of TS_FOR_JS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + alternative;
    if (isFile(candidate)) return candidate;
  }
  for (const candidate of [...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => `${base}${sep}index${e}`)]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

class ModuleNotFoundError extends Error {
  override name = 'ModuleNotFoundError';
  readonly code = 'MODULE_NOT_FOUND';
}

/**
 * Loads each function's project code (every file outside node_modules) into a module cache of its own, so
 * that module state is per function as it is per Lambda container. Files are compiled once with esbuild and
 * evaluated once per function; packages in node_modules are loaded once through the host and shared, as
 * they are meant to hold no per-function state.
 */
export function createFunctionModuleLoader(): FunctionModuleLoader {
  const compiled = new Map<string, { mtimeMs: number; wrapper: ModuleWrapper }>();

  const compile = (filename: string): ModuleWrapper => {
    const { mtimeMs } = statSync(filename);
    const cached = compiled.get(filename);
    if (cached?.mtimeMs === mtimeMs) return cached.wrapper;
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      loader: LOADERS[extname(filename)] ?? 'ts',
      format: 'cjs',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'inline',
      sourcefile: filename,
      supported: { 'dynamic-import': false },
    });
    // Indirect eval compiles in this realm (jest's, under jest) with the wrapper on the first line, so line
    // numbers and the inline source map stay true.
    // biome-ignore lint/complexity/noCommaOperator: `(0, eval)` is how an indirect eval is written.
    // biome-ignore lint/security/noGlobalEval: the local tool compiles the project's own handler code, as Node's loader does.
    const wrapper = (0, eval)(
      `(function (exports, require, module, __filename, __dirname) {${code}\n})\n//# sourceURL=${filename}`,
    ) as ModuleWrapper;
    compiled.set(filename, { mtimeMs, wrapper });
    return wrapper;
  };

  return {
    createScope(): FunctionModuleScope {
      const cache = new Map<string, ScopedModule>();

      const resolve = (specifier: string, from: string): string => {
        if (isBuiltin(specifier)) return specifier;
        if (specifier.startsWith('.') || isAbsolute(specifier)) {
          const path = resolvePath(dirname(from), specifier);
          // A path into node_modules (a package directory, with its package.json `main`) resolves as Node would.
          if (inNodeModules(path)) return hostRequire.resolve(path);
          const found = resolveFile(path);
          if (found) return found;
          throw new ModuleNotFoundError(`Cannot find module '${specifier}' from '${from}'`);
        }
        return hostRequire.resolve(specifier, { paths: [dirname(from)] });
      };

      const load = (filename: string): unknown => {
        if (isBuiltin(filename) || inNodeModules(filename)) return hostRequire(filename);
        const existing = cache.get(filename);
        if (existing) return existing.exports;
        const module: ScopedModule = { id: filename, filename, path: dirname(filename), exports: {}, loaded: false };
        cache.set(filename, module);
        try {
          if (extname(filename) === '.json') module.exports = JSON.parse(readFileSync(filename, 'utf8')) as unknown;
          else compile(filename)(module.exports, requireFrom(filename), module, filename, dirname(filename));
        } catch (error) {
          cache.delete(filename);
          throw error;
        }
        module.loaded = true;
        return module.exports;
      };

      const requireFrom = (from: string): NodeJS.Require => {
        const scopedRequire = ((specifier: string) => load(resolve(specifier, from))) as NodeJS.Require;
        scopedRequire.resolve = ((specifier: string) => resolve(specifier, from)) as NodeJS.RequireResolve;
        return scopedRequire;
      };

      return { require: (file) => load(resolvePath(file)) };
    },
  };
}
