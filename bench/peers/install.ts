/**
 * Installs a peer (serverless + serverless-offline, Architect's sandbox) into a folder under os.tmpdir(), outside
 * the project's dependencies, with the ordinary npm client against the configured registry only. The folder is
 * kept between runs, keyed by the requested versions, so a second run does not install again.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PEERS_ROOT = join(tmpdir(), 'switchboard-bench-peers');
const INSTALL_TIMEOUT_MS = 180_000;

export interface Installed {
  dir: string;
  /** name@version actually installed, read from node_modules. */
  versions: string[];
  cached: boolean;
  installMs: number;
}

const keyOf = (specs: string[]): string => specs.map((s) => s.replace(/^@/, '').replace(/[@/]/g, '-')).join('_');

function installedVersions(dir: string, specs: string[]): string[] {
  return specs.map((spec) => {
    const name = spec.slice(0, spec.lastIndexOf('@') > 0 ? spec.lastIndexOf('@') : spec.length);
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    };
    return `${name}@${pkg.version}`;
  });
}

/** `npm install --prefix <dir> --no-audit --no-fund <specs>`, time-boxed; throws with the log's tail on failure. */
export async function installPeer(specs: string[], log: (line: string) => void): Promise<Installed> {
  const dir = join(PEERS_ROOT, keyOf(specs));
  const marker = join(dir, '.installed.json');
  if (existsSync(marker)) {
    try {
      return { dir, versions: installedVersions(dir, specs), cached: true, installMs: 0 };
    } catch {
      rmSync(marker, { force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'install.log');
  const fd = openSync(logFile, 'w');
  const started = Date.now();
  log(`   npm install --prefix ${dir} ${specs.join(' ')} (up to ${INSTALL_TIMEOUT_MS / 1000} s) ...`);
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', ...specs], {
      cwd: dir,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timed out');
    }, INSTALL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 'killed');
    });
  });
  closeSync(fd);
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ');
    throw new Error(`npm install ${specs.join(' ')} failed (${String(code)}): ${tail} (log: ${logFile})`);
  }
  const versions = installedVersions(dir, specs);
  writeFileSync(marker, JSON.stringify({ specs, versions, at: new Date().toISOString() }));
  return { dir, versions, cached: false, installMs: Date.now() - started };
}
