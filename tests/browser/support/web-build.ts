import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '../../..');

/**
 * Builds `web/` to `web/dist` the way `npm run build:web` does. Vite ships as ESM only, so it runs in a
 * child process rather than through its API inside jest's CommonJS.
 */
export function buildWeb(): void {
  execFileSync(
    process.execPath,
    [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
      timeout: 120_000,
    },
  );
  if (!existsSync(join(PROJECT_ROOT, 'web/dist/index.html'))) throw new Error('web build produced no index.html');
}
