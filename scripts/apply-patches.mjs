/**
 * `postinstall`: applies patches/ to node_modules with patch-package (patches/dynalite+4.0.0.patch closes the
 * LevelDB iterators dynalite leaves open). npm runs the project's own install scripts even where it blocks
 * those of dependencies. patch-package is a dev dependency, as is everything it patches: an install without
 * dev dependencies has nothing to patch, so this does nothing there instead of failing.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let patchPackage;
try {
  patchPackage = require.resolve('patch-package/index.js');
} catch {
  console.log('patch-package is not installed (no dev dependencies): no patches to apply');
  process.exit(0);
}
execFileSync(process.execPath, [patchPackage, '--error-on-fail'], { stdio: 'inherit' });
