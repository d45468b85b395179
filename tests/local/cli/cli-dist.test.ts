import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../support/fixture-stack';
import { openSocket } from '../support/test-socket';
import { spawnCli } from './cli-process';

const PACKAGE = join(__dirname, '..', '..', '..', 'packages', 'local');
const NODE_MODULES = join(__dirname, '..', '..', '..', 'node_modules');

/**
 * The package as npm would install it (its `files`: bin, dist, README, no src), built by its own build
 * script; the repository's node_modules stand in for the dependencies npm would install beside it.
 */
function installedPackage(): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'switchboard-local-package-')), 'local');
  cpSync(join(PACKAGE, 'bin'), join(folder, 'bin'), { recursive: true });
  cpSync(join(PACKAGE, 'package.json'), join(folder, 'package.json'));
  execFileSync(process.execPath, [join(PACKAGE, 'scripts', 'build.mjs'), join(folder, 'dist')]);
  symlinkSync(NODE_MODULES, join(folder, 'node_modules'), 'dir');
  return folder;
}

describe('switchboard-local from a built package', () => {
  let folder: string;
  beforeAll(() => {
    folder = installedPackage();
  });
  afterAll(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('runs dist/ when there is no source, serves a route and stops on Ctrl-C with 0', async () => {
    expect(existsSync(join(folder, 'src'))).toBe(false);
    expect(existsSync(join(folder, 'dist', 'cli.js'))).toBe(true);
    const cli = spawnCli(
      ['-t', join(FIXTURES, 'template.yaml'), '--in-memory', '-p', '0', '--http-port', '0', '--dynamo-port', '0'],
      folder,
      join(folder, 'bin', 'switchboard-local.mjs'),
    );
    try {
      const [, wsUrl] = await cli.waitFor(/WebSocket +(ws:\/\/localhost:\d+)/);
      const socket = await openSocket(wsUrl as string);
      socket.ws.send(JSON.stringify({ action: 'echo', n: 1 }));
      const reply = await socket.next<{ routeKey: string; body: string }>((frame) => frame.routeKey === 'echo');

      expect(JSON.parse(reply.body)).toEqual({ action: 'echo', n: 1 });
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('reports its version from the package', async () => {
    const cli = spawnCli(['--version'], folder, join(folder, 'bin', 'switchboard-local.mjs'));
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout().trim()).toBe('0.1.0');
  });
});
