import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChatScenario } from '../support/chat-scenario';
import { spawnCli } from './cli-process';

/**
 * The sample apps (tests/local/fixtures/apps/*), each run unmodified under the command with real `ws`
 * clients: connect, chat, disconnect.
 */
const APPS = join(__dirname, '..', 'fixtures', 'apps');

const cases: [string, Parameters<typeof runChatScenario>[1]][] = [
  ['esm-scan-broadcast', undefined],
  // Its REQUEST authorizer admits a connection only with the token it accepts.
  ['cjs-authorizer', { query: '?token=letmein-alice' }],
  ['ts-esbuild', undefined],
];

describe.each(cases)('switchboard-local running the %s app', (app, options) => {
  const template = join(APPS, app, 'template.yaml');
  it('lets two clients connect, chat and disconnect, then stops with 0', async () => {
    const cli = spawnCli(
      ['-t', template, '--in-memory', '--port', '0', '--http-port', '0', '--dynamo-port', '0', '--quiet'],
      tmpdir(),
    );
    try {
      const [, wsUrl] = await cli.waitFor(/WebSocket +(ws:\/\/localhost:\d+)/);
      await runChatScenario(wsUrl as string, options);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
