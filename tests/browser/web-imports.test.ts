import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from './support/web-build';

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

const CLIENT_ENTRY = join(PROJECT_ROOT, 'packages/client/src/index.ts');

/** Every file the page's entry reaches through relative imports, with the bare specifiers it names. */
function reachableFrom(entry: string): { files: string[]; bare: string[]; unresolved: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const unresolved: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier === '@switchboard/client') {
        visit(CLIENT_ENTRY); // the Vite alias: the package's source
        continue;
      }
      if (!specifier.startsWith('.')) {
        bare.add(specifier);
        continue;
      }
      const base = resolve(dirname(file), specifier).replace(/\.js$/, '');
      const candidates = [
        base,
        ...['.ts', '.tsx'].map((ext) => `${base}${ext}`),
        ...['index.ts', 'index.tsx'].map((name) => join(base, name)),
      ];
      const target = candidates.find((candidate) => existsSync(candidate) && /\.(ts|tsx|css|json)$/.test(candidate));
      if (!target) unresolved.push(`${relative(PROJECT_ROOT, file)}: ${specifier}`);
      else if (/\.tsx?$/.test(target)) visit(target);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => relative(PROJECT_ROOT, file)), bare: [...bare], unresolved };
}

describe('the web bundle', () => {
  it('runs on @switchboard/client and shares only its wire module with the server: no Node, AWS or other package imports', () => {
    const { files, bare, unresolved } = reachableFrom(join(PROJECT_ROOT, 'web/src/main.ts'));
    expect(unresolved).toEqual([]);
    expect(bare).toEqual([]);
    expect(files.filter((file) => !file.startsWith('web/src/') && !file.startsWith('packages/client/src/'))).toEqual(
      [],
    );
    expect(files).toEqual(
      expect.arrayContaining(['packages/client/src/switchboard-client.ts', 'packages/client/src/wire/rules.ts']),
    );
    expect(files).not.toContain('packages/client/src/node.ts');
  });

  it('keeps no client of its own', () => {
    expect(existsSync(join(PROJECT_ROOT, 'web/src/client'))).toBe(false);
  });
});
