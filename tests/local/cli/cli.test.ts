import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../support/fixture-stack';
import { openSocket } from '../support/test-socket';
import { spawnCli } from './cli-process';

const FREE_PORTS = ['--port', '0', '--http-port', '0', '--dynamo-port', '0'];
const scratch = (): string => mkdtempSync(join(tmpdir(), 'switchboard-cli-'));

describe('switchboard-local, run as a command', () => {
  it('serves the template a client connects to, with the overrides it was given, and stops on Ctrl-C with 0', async () => {
    const envVars = join(scratch(), 'env.json');
    writeFileSync(
      envVars,
      JSON.stringify({
        Parameters: { JOINED: 'from-parameters', FIXTURE_EXTRA: 'not declared: ignored' },
        EchoFunction: { ECHO_ONLY: 'from-echo-function' },
      }),
    );
    const cli = spawnCli(
      [
        ...['--template', join(FIXTURES, 'template.yaml'), '--in-memory', ...FREE_PORTS],
        ...['--parameter-overrides', 'Greeting=howdy', '--env-vars', envVars, '--quiet'],
      ],
      scratch(),
    );
    try {
      const [, wsUrl] = await cli.waitFor(/WebSocket +(ws:\/\/localhost:\d+)/);
      const socket = await openSocket(wsUrl as string);
      socket.ws.send(JSON.stringify({ action: 'env' }));
      const reply = await socket.next<{ routeKey: string; env: Record<string, string | null> }>(
        (frame) => frame.routeKey === 'env',
      );

      expect(reply.env).toMatchObject({
        GREETING: 'howdy-us-east-1',
        JOINED: 'from-parameters',
        ECHO_ONLY: 'from-echo-function',
        FIXTURE_EXTRA: null,
      });
      expect(cli.stdout()).toMatch(/HTTP API +http:\/\/localhost:\d+/);

      cli.child.kill('SIGINT');
      const closed = await socket.closed;
      const exit = await cli.exited;
      expect(closed.code).toBe(1001);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(cli.stdout()).toMatch(/SIGINT: closing connections[\s\S]*stopped/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('prints its options for --help and exits 0', async () => {
    const cli = spawnCli(['--help'], scratch());
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toMatch(/^Usage: switchboard-local \[options\]/);
    expect(cli.stdout()).toMatch(/--parameter-overrides/);
  });

  it.each([
    [['--prot', '3001'], /Unknown option '--prot'/],
    [['--warm-containers', 'HOT'], /--warm-containers: expected EAGER or LAZY/],
    [[], /no template.yaml or template.yml in/],
  ])('exits 2 on %j with the problem named and no stack trace', async (args, message) => {
    const cli = spawnCli(args, scratch());
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).toMatch(/Run switchboard-local --help/);
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
    expect(cli.stdout()).toBe('');
  });

  it('exits 2 on a template it cannot run, naming the resource, with no stack trace', async () => {
    const folder = scratch();
    writeFileSync(
      join(folder, 'template.yaml'),
      [
        'Resources:',
        '  Broken:',
        '    Type: AWS::DynamoDB::Table',
        '    Properties:',
        '      BillingMode: PAY_PER_REQUEST',
      ].join('\n'),
    );
    const cli = spawnCli(['--in-memory', ...FREE_PORTS], folder);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toMatch(/template\.yaml: .*Broken/);
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
  });

  it('lists every check a template fails once, under its path, with no stack trace', async () => {
    const folder = scratch();
    writeFileSync(
      join(folder, 'template.yaml'),
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  PythonFunction:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: python3.12',
        '      Handler: app.handler',
        '      CodeUri: src/',
      ].join('\n'),
    );
    const cli = spawnCli(['--in-memory', ...FREE_PORTS], folder);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toMatch(/PythonFunction: .*python3\.12/);
    expect(cli.stderr().match(/template\.yaml/g)).toHaveLength(1);
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
  });

  it('exits 1 when its port is taken, saying so without a stack trace, and leaves nothing running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const cli = spawnCli(
        [
          '-t',
          join(FIXTURES, 'template.yaml'),
          '--in-memory',
          '--port',
          String(port),
          '--http-port',
          '0',
          '--dynamo-port',
          '0',
        ],
        scratch(),
      );
      expect(await cli.exited).toEqual({ code: 1, signal: null });
      expect(cli.stderr()).toMatch(/a port is already in use .*choose others with --port/);
      expect(cli.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
