import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { SwitchboardStack as LocalStack } from '../../scripts/local/switchboard-stack';
import { PROJECT_ROOT, startLiveStack } from './support/live-stack';

const run = promisify(execFile);
const PACKAGE_DIR = join(PROJECT_ROOT, 'packages/client');

/** The bare (package) specifiers and `node:` imports a built file reaches through relative imports. */
function bareImports(entry: string): string[] {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g,
    )) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return [...bare];
}

// A subscriber as a Node back end writes it, run in its own process against the installed tarball: it
// must resume its user from the token file, get what it published, and exit by itself after close().
const SUBSCRIBER = `
import { SwitchboardClient } from '@switchboard/client';
import { fileTokenStore } from '@switchboard/client/node';
const [url, topic, tokenFile, wsModule] = process.argv.slice(2);
const WebSocket = globalThis.WebSocket ?? (await import(wsModule)).default;
const client = new SwitchboardClient({ WebSocket, tokenStore: fileTokenStore(tokenFile), chat: false });
const received = new Promise((done) => client.on('topicMessage', (frame) => done(frame.message)));
client.subscribe(topic, { since: 0 });
client.connect(url);
const ticket = client.publish(topic, { hello: 'from node' });
const [outcome, message] = await Promise.all([ticket.outcome, received]);
console.log(JSON.stringify({ userId: client.session.userId, outcome: outcome.status, message }));
client.close();
`;

describe('npm pack of @switchboard/client', () => {
  let work: string;
  let stack: LocalStack;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchboard-client-pack-'));
    stack = await startLiveStack();
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('produces a tarball that installs offline in a fresh folder and works from Node as ESM, leaving nothing running', async () => {
    const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--json'], {
      cwd: PACKAGE_DIR,
      timeout: 120_000,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(packed?.files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'README.md']),
    );

    const app = join(work, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, packed?.filename ?? '')], {
      cwd: app,
      timeout: 60_000,
    });
    const installed = join(app, 'node_modules/@switchboard/client');
    expect(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@switchboard']);
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).dependencies).toBeUndefined();
    expect(bareImports(join(installed, 'dist/index.js'))).toEqual([]);

    writeFileSync(join(app, 'subscriber.mjs'), SUBSCRIBER);
    const tokenFile = join(app, 'state', 'token.json');
    const subscribe = async () => {
      const started = Date.now();
      const topic = `client.pack.${Date.now()}`;
      const { stdout: line } = await run(
        process.execPath,
        ['subscriber.mjs', stack.wsUrl, topic, tokenFile, pathToFileURL(require.resolve('ws')).href],
        { cwd: app, timeout: 20_000 },
      );
      return {
        ...(JSON.parse(line) as { userId: string; outcome: string; message: unknown }),
        ms: Date.now() - started,
      };
    };
    const first = await subscribe();
    const second = await subscribe();

    expect(first).toMatchObject({ outcome: 'acked', message: { hello: 'from node' } });
    expect(existsSync(tokenFile)).toBe(true);
    expect(second.userId).toBe(first.userId); // resumed from the token file
    expect(second.ms).toBeLessThan(15_000); // exited by itself after close(), nothing left running
  }, 180_000);
});
