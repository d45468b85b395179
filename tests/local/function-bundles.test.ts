import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { bundle } from '../../packages/local/src/worker/bundle-cache';

describe('esbuild bundles of functions, kept across stack starts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-bundles-'));
    writeFileSync(join(dir, 'label.ts'), "export const label: string = 'first';\n");
    writeFileSync(join(dir, 'app.ts'), "import { label } from './label';\nexport const handler = () => label;\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const request = () => ({
    entry: join(dir, 'app.ts'),
    workingDir: dir,
    format: 'cjs' as const,
    target: 'es2022',
    external: ['@aws-sdk/*'],
  });

  it('bundles the entry and what it imports, unminified, with a source map beside it', async () => {
    const output = await bundle(request());
    const code = readFileSync(output, 'utf8');
    const map = JSON.parse(readFileSync(`${output}.map`, 'utf8')) as { sources: string[] };

    expect(output.endsWith('.cjs')).toBe(true);
    expect(code).toContain('"first"');
    expect(code).toContain(`sourceMappingURL=${basename(output)}.map`);
    expect(map.sources.some((source) => source.endsWith('label.ts'))).toBe(true);
  });

  it("writes a source map whose sources resolve from the map's own folder", async () => {
    const output = await bundle(request());
    const map = JSON.parse(readFileSync(`${output}.map`, 'utf8')) as { sources: string[] };

    expect(map.sources.map((source) => resolve(dirname(output), source))).toEqual(
      expect.arrayContaining([join(dir, 'app.ts'), join(dir, 'label.ts')]),
    );
  });

  it('leaves nothing but the cache folder in the temporary folder', async () => {
    const temporary = mkdtempSync(join(tmpdir(), 'switchboard-tmp-'));
    try {
      const output = await bundle(request(), temporary);

      expect(readdirSync(temporary)).toEqual([basename(dirname(output))]);
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  });

  it('removes what a killed build left an hour ago, and leaves a build that may still run', async () => {
    const temporary = mkdtempSync(join(tmpdir(), 'switchboard-tmp-'));
    try {
      const cache = join(temporary, `switchboard-local-bundles-${process.getuid?.() ?? 'user'}`);
      mkdirSync(cache, { mode: 0o700 });
      const stale = [join(`${cache}.build-old123`), join(cache, 'app-0123456789abcdef.cjs.4242.k3j9x')];
      const fresh = [join(`${cache}.build-new456`), join(cache, 'app-0123456789abcdef.cjs.4243.a1b2c')];
      mkdirSync(stale[0] as string);
      writeFileSync(stale[1] as string, 'half');
      mkdirSync(fresh[0] as string);
      writeFileSync(fresh[1] as string, 'half');
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      for (const path of stale) utimesSync(path, twoHoursAgo, twoHoursAgo);

      const output = await bundle(request(), temporary);

      expect(stale.filter((path) => existsSync(path))).toEqual([]);
      expect(fresh.filter((path) => existsSync(path))).toEqual(fresh);
      expect(existsSync(output)).toBe(true);
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  });

  it('reuses the output while no input changed, and rebuilds when one did', async () => {
    const first = await bundle(request());
    const builtAt = statSync(first).mtimeMs;

    const again = await bundle(request());
    const unchangedAt = statSync(again).mtimeMs;
    writeFileSync(join(dir, 'label.ts'), "export const label: string = 'second';\n");
    utimesSync(join(dir, 'label.ts'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await bundle(request());

    expect(again).toBe(first);
    expect(unchangedAt).toBe(builtAt);
    expect(rebuilt).toBe(first);
    expect(readFileSync(rebuilt, 'utf8')).toContain('"second"');
  });

  it('writes ESM as .mjs when the function asks for Format esm', async () => {
    const output = await bundle({ ...request(), format: 'esm' });

    expect(output.endsWith('.mjs')).toBe(true);
    expect(readFileSync(output, 'utf8')).toContain('export {');
  });
});

describe('the bundle cache folder, in a temporary folder other users share', () => {
  let dir: string;
  let shared: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-bundles-'));
    shared = mkdtempSync(join(tmpdir(), 'switchboard-shared-tmp-'));
    writeFileSync(join(dir, 'app.ts'), 'export const handler = () => 1;\n');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  });

  const request = () => ({
    entry: join(dir, 'app.ts'),
    workingDir: dir,
    format: 'cjs' as const,
    target: 'es2022',
    external: [],
  });
  const ownFolder = () => join(shared, `switchboard-local-bundles-${process.getuid?.() ?? 'user'}`);

  it("is this user's own, readable by no one else", async () => {
    const output = await bundle(request(), shared);

    expect(output.startsWith(`${ownFolder()}/`)).toBe(true);
    expect(statSync(ownFolder()).mode & 0o777).toBe(0o700);
  });

  it('is refused when others can write to it, so that no one can plant a bundle in it', async () => {
    mkdirSync(ownFolder());
    chmodSync(ownFolder(), 0o777);

    await expect(bundle(request(), shared)).rejects.toThrow(/others can write to it|not this user's/);
  });

  (process.getuid?.() === 0 ? it : it.skip)('is refused when another user made it first', async () => {
    mkdirSync(ownFolder(), { mode: 0o700 });
    chownSync(ownFolder(), 65534, 65534);

    await expect(bundle(request(), shared)).rejects.toThrow(/not this user's/);
  });
});
