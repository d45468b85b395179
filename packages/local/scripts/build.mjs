#!/usr/bin/env node
// Builds dist/ for a published package: every source file transpiled on its own to CommonJS (no bundle),
// so the folder layout, `__dirname` and the dependencies stay as in src/. Usage: node scripts/build.mjs [outdir]
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));
const src = join(root, 'src');
const entryPoints = readdirSync(src, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => join(src, file));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  outbase: src,
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
// The two files a function's worker thread loads are bundled whole, as the worker cannot load the others'
// CommonJS through its ESM resolve hook (lambda-runtime.ts uses these when they exist).
const worker = (name, format, extension) =>
  build({
    entryPoints: [join(src, 'worker', `${name}.ts`)],
    outfile: join(outdir, 'worker', `${name}.${extension}`),
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
await Promise.all([worker('worker-main', 'cjs', 'cjs'), worker('esm-fallback-hook', 'esm', 'mjs')]);
console.log(`built ${entryPoints.length} files into ${outdir}, and the worker's two entry files bundled`);
