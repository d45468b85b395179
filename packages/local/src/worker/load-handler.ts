import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The entry file or its export is missing. */
export class HandlerNotFoundError extends Error {
  override name = 'Runtime.HandlerNotFound';
}

export type Handler = (
  event: unknown,
  context: unknown,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/** The nearest package.json says `"type": "module"`: its `.js` files are ES modules. */
function isModuleTypePackage(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string };
      return manifest.type === 'module';
    } catch {
      // No readable package.json here: look in the parent folder, as Node does.
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * Loads a function's entry file as Lambda's Node.js runtime does: `require` for CommonJS, `import` for ESM.
 * `beforeImport` runs first for ESM only (installing an ESM resolve hook starts a loader thread in Node 20,
 * which a CommonJS function does not need).
 */
async function loadModule(file: string, beforeImport: () => void): Promise<Record<string, unknown>> {
  const ext = extname(file);
  const esm = ext === '.mjs' || (ext === '.js' && isModuleTypePackage(file));
  if (!esm) return require(file) as Record<string, unknown>;
  beforeImport();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** A nested export (`Handler: app.handlers.connect`), as Lambda resolves it. */
function exported(mod: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], mod);
}

export async function loadHandler(file: string, exportName: string, beforeImport: () => void): Promise<Handler> {
  const mod = await loadModule(file, beforeImport);
  // A CommonJS bundle of ESM source that only has a default export keeps the handler under `default`.
  const handler = exported(mod, exportName) ?? exported((mod.default ?? {}) as Record<string, unknown>, exportName);
  if (typeof handler !== 'function') throw new HandlerNotFoundError(`${file} exports no function ${exportName}`);
  return handler as Handler;
}
