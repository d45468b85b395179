import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCliCommand } from '../../../packages/local/src/cli/cli-options';
import { CliUsageError } from '../../../packages/local/src/cli/cli-usage-error';
import { FIXTURES } from '../support/fixture-stack';

const TEMPLATE = join(FIXTURES, 'template.yaml');

function start(argv: string[], cwd = FIXTURES) {
  const command = readCliCommand(argv, cwd);
  if (command.kind !== 'start') throw new Error(`expected start, got ${command.kind}`);
  return command.stack;
}

function usageError(argv: string[], cwd = FIXTURES): string {
  try {
    readCliCommand(argv, cwd);
  } catch (error) {
    if (error instanceof CliUsageError) return error.message;
    throw error;
  }
  throw new Error('no usage error');
}

describe('the command line of switchboard-local', () => {
  it('finds template.yaml in the current folder and runs from its folder with the default ports', () => {
    const stack = start([]);

    expect(stack).toMatchObject({
      templatePath: TEMPLATE,
      projectRoot: FIXTURES,
      wsPort: 3001,
      httpPort: 3002,
      dynamoPort: 3005,
      host: '127.0.0.1',
      warmContainers: 'LAZY',
      iam: false,
      dataDir: join(FIXTURES, '.switchboard/data'),
      quiet: false,
      verbose: false,
    });
  });

  it('maps every flag to the stack option it names', () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'switchboard-cli-')), 'env.json');
    writeFileSync(
      envFile,
      JSON.stringify({ Parameters: { A: 'x', N: 1, B: true, O: null }, EchoFunction: { E: 'y' } }),
    );

    const stack = start(
      [
        ...['-t', TEMPLATE, '--parameter-overrides', 'Greeting=hi', '--parameter-overrides', 'StageName=dev'],
        ...['-n', envFile, '-p', '4001', '--http-port', '4002', '--dynamo-port', '0', '--host', '0.0.0.0'],
        ...[
          '--warm-containers',
          'eager',
          '--iam',
          '--in-memory',
          '--function-concurrency',
          '4',
          '--quiet',
          '--verbose',
        ],
      ],
      tmpdir(),
    );

    expect(stack).toMatchObject({
      templatePath: TEMPLATE,
      projectRoot: FIXTURES,
      parameters: { Greeting: 'hi', StageName: 'dev' },
      envVars: { Parameters: { A: 'x', N: '1', B: 'true', O: '' }, EchoFunction: { E: 'y' } },
      wsPort: 4001,
      httpPort: 4002,
      dynamoPort: 0,
      host: '0.0.0.0',
      warmContainers: 'EAGER',
      iam: true,
      dataDir: null,
      concurrencyPerFunction: 4,
      quiet: true,
      verbose: true,
    });
  });

  it('answers --help and --version without looking for a template', () => {
    expect(readCliCommand(['--help'], tmpdir())).toEqual({ kind: 'help' });
    expect(readCliCommand(['-v'], tmpdir())).toEqual({ kind: 'version' });
  });

  it.each([
    [['--prot', '1'], /Unknown option '--prot'/],
    [['stray'], /positional/i],
    [['--port', 'abc'], /--port: expected an integer from 0 to 65535, got "abc"/],
    [['--port', '70000'], /--port/],
    [['--http-port', ''], /--http-port/],
    [['--function-concurrency', '0'], /--function-concurrency/],
    [['--warm-containers', 'HOT'], /--warm-containers: expected EAGER or LAZY, got "HOT"/],
    [['--in-memory', '--data-dir', 'x'], /exclude each other/],
    [['--template', 'nope.yaml'], /--template: nope.yaml does not exist/],
    [
      ['--parameter-overrides', 'Nope=1'],
      /Nope is not a parameter of template.yaml \(it has: StageName, Greeting, ManagementEndpoint\)/,
    ],
    [['--env-vars', 'missing.json'], /--env-vars: cannot read .*missing.json \(ENOENT\)/],
  ])('rejects %j with a message that names the problem', (argv, message) => {
    expect(usageError(argv)).toMatch(message);
  });

  it('says so when the current folder has no template and none is named', () => {
    expect(usageError([], mkdtempSync(join(tmpdir(), 'switchboard-cli-')))).toMatch(
      /no template.yaml or template.yml in/,
    );
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['a list', '[]', /must hold an object/],
    ['a scope that is not an object', '{"Parameters": "x"}', /"Parameters" must be an object/],
  ])('rejects an --env-vars file that is %s', (_case, text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'switchboard-cli-')), 'env.json');
    writeFileSync(file, text);
    expect(usageError(['--env-vars', file])).toMatch(message);
  });

  it('warns about --env-vars entries that name no function of the template, and only about those', () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'switchboard-cli-')), 'env.json');
    writeFileSync(envFile, JSON.stringify({ Parameters: {}, EchoFunction: {}, EchoFuncton: { A: '1' } }));

    const command = readCliCommand(['--env-vars', envFile], FIXTURES);

    expect(command.kind === 'start' && command.warnings).toEqual([
      expect.stringMatching(
        /has variables for "EchoFuncton", which is no function of the template \(ignored; its functions: .*EchoFunction/,
      ),
    ]);
    expect(command.kind === 'start' && command.stack.envVars).toEqual({
      Parameters: {},
      EchoFunction: {},
      EchoFuncton: { A: '1' },
    });
  });
});
