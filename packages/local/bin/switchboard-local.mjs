#!/usr/bin/env node
// The `switchboard-local` command. A published package runs its built `dist/`; a clone of the repository
// (where `src/` is present) runs the TypeScript source through tsx, so there is no build step to forget.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli.ts');
const require = createRequire(import.meta.url);

async function loadCli() {
  if (!existsSync(source)) return require(join(root, 'dist', 'cli.js'));
  let tsx;
  try {
    tsx = await import('tsx/cjs/api');
  } catch {
    console.error(
      'switchboard-local: running from source needs tsx (npm install --save-dev tsx), or build dist/ first',
    );
    process.exit(1);
  }
  tsx.register();
  return require(source);
}

const { runCli } = await loadCli();
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
