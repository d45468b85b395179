import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from './support/web-build';

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** Every file the page's entry reaches through relative imports, with the bare specifiers it names. */
function reachableFrom(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) {
        bare.add(specifier);
        continue;
      }
      const base = resolve(dirname(file), specifier);
      const target = [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate) && candidate.endsWith('.ts'));
      if (target) visit(target);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => relative(PROJECT_ROOT, file)), bare: [...bare] };
}

describe('the web bundle', () => {
  it('shares only the domain with the server: no Node, AWS or other package imports', () => {
    const { files, bare } = reachableFrom(join(PROJECT_ROOT, 'web/src/main.ts'));
    expect(bare).toEqual([]);
    expect(files.filter((file) => !file.startsWith('web/src/') && !file.startsWith('src/domain/'))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['src/domain/limits.ts', 'web/src/client/display-name.ts']));
  });
});
