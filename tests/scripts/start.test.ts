import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'scripts', 'start.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `scripts/start.ts` (what `npm start` runs after building the page) in `cwd`, to its exit. */
function runStart(cwd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(TSX, [START, ...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.resume();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('npm start', () => {
  it('exits 2 on a template it cannot run, with the problem and no stack trace', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
    try {
      writeFileSync(
        join(folder, 'template.yaml'),
        [
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          '  RubyFunction:',
          '    Type: AWS::Serverless::Function',
          '    Properties:',
          '      Runtime: ruby3.3',
          '      Handler: app.handler',
          '      CodeUri: src/',
        ].join('\n'),
      );

      const { code, stderr } = await runStart(folder, ['--in-memory', '--ws-port', '0', '--http-port', '0']);

      expect(code).toBe(2);
      expect(stderr).toMatch(/RubyFunction: .*ruby3\.3/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
