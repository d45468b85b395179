import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const PROJECT_ROOT = resolve(__dirname, '../../..');

/** Which browser the tests ran, written at each launch so that CI can print it. */
export const BROWSER_REPORT = join(PROJECT_ROOT, 'test-results', 'browser.json');

/** A Chromium to launch: its executable and the environment it needs. */
export interface ChromiumBuild {
  source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
  executablePath: string;
  env: Record<string, string>;
}

/**
 * `@sparticuz/chromium` ships a headless Chromium (chrome-headless-shell) inside its npm tarball, brotli
 * compressed, with the NSS and NSPR libraries it links against (`bin/al2023.tar.br`), so `npm ci` is all a
 * machine needs. The package only knows how to unpack into the system's temporary folder, one file at a
 * time; several jest workers would then race on a half-written `/tmp/chromium`. So it unpacks into a fresh
 * folder of its own (through `TMPDIR`), which is then renamed into place at once: the first rename wins and
 * the others use its result. The package is ESM only, hence the child process.
 */
function packagedChromium(): ChromiumBuild {
  const packageDir = join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium');
  if (!existsSync(packageDir))
    throw new Error('No @sparticuz/chromium in node_modules: run npm ci (or set CHROMIUM_PATH to a Chromium).');
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const home = join(PROJECT_ROOT, 'node_modules', '.cache', 'sparticuz-chromium', manifest.version);
  const executablePath = join(home, 'chromium');
  const libraries = join(home, 'al2023', 'lib');
  if (!existsSync(executablePath) || !existsSync(libraries)) {
    mkdirSync(dirname(home), { recursive: true });
    const unpacking = mkdtempSync(`${home}.unpacking-`);
    try {
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
        import { join } from 'node:path';
        import chromium, { inflate } from '@sparticuz/chromium';
        const bin = ${JSON.stringify(join(packageDir, 'bin'))};
        await chromium.executablePath(bin);
        await inflate(join(bin, 'al2023.tar.br'));
      `,
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, TMPDIR: unpacking }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      try {
        renameSync(unpacking, home);
      } catch (error) {
        if (!existsSync(executablePath)) throw error;
      }
    } finally {
      rmSync(unpacking, { recursive: true, force: true });
    }
  }
  // chrome-headless-shell needs little beyond glibc; NSS and NSPR come from the package, not from the system.
  return { source: '@sparticuz/chromium', executablePath, env: { LD_LIBRARY_PATH: libraries } };
}

/** `CHROMIUM_PATH` when it names a browser (a system Chromium), else the one packaged on npm. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumBuild {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen))
      throw new Error(`CHROMIUM_PATH is ${chosen}, which does not exist: unset it to use the packaged Chromium.`);
    return { source: 'CHROMIUM_PATH', executablePath: chosen, env: {} };
  }
  return packagedChromium();
}

export async function launchChromium(): Promise<Browser> {
  const build = findChromium();
  const browser = await chromium.launch({
    executablePath: build.executablePath,
    env: { ...process.env, ...build.env },
    timeout: 20_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(dirname(BROWSER_REPORT), { recursive: true });
  writeFileSync(
    BROWSER_REPORT,
    `${JSON.stringify({ source: build.source, executablePath: build.executablePath, version: browser.version() })}\n`,
  );
  return browser;
}
