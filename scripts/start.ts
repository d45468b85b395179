/**
 * `npm start`: the whole Switchboard stack on this machine, no AWS account needed. See docs/local-stack.md.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readParameterOverrides } from '../packages/local/src/cli/cli-options';
import { readEnvVarsFile } from '../packages/local/src/cli/env-vars-file';
import { DEFAULT_CONCURRENCY_PER_FUNCTION } from '../packages/local/src/stack';
import { isTemplateProblem, templateProblemMessage } from '../packages/local/src/template-problem';
import { guardUnhandledRejections } from '../packages/local/src/unhandled-rejections';
import { loadLocalSecret } from './local/local-secret';
import { type SwitchboardStackOptions, startSwitchboardStack } from './local/switchboard-stack';
import { portOf, samLocalEnvVars, writeSamLocalEnvVars } from './sam-local-env';

const HELP = `Usage: npm start -- [options]

Runs Switchboard locally from template.yaml: embedded DynamoDB, the WebSocket gateway (with @connections and
the Lambda Invoke API), the HTTP API and the front end.

Options (environment variable in brackets):
  --ws-port <n>       WebSocket gateway, @connections, Lambda Invoke API [SWITCHBOARD_WS_PORT] (3001)
  --http-port <n>     HTTP API [SWITCHBOARD_HTTP_PORT] (3002)
  --web-port <n>      front end and /config.json [SWITCHBOARD_WEB_PORT] (3000)
  --dynamo-port <n>   embedded DynamoDB [SWITCHBOARD_DYNAMO_PORT] (3005)
  --data-dir <path>   where data survives restarts [SWITCHBOARD_DATA_DIR] (.switchboard/data); after a
                      crash, the next start runs $disconnect for the connections left open there
  --function-concurrency <n>
                      invocations of one function at once; more queue [SWITCHBOARD_FUNCTION_CONCURRENCY] (${DEFAULT_CONCURRENCY_PER_FUNCTION})
  --in-memory         keep nothing across restarts
  --parameter-overrides <s>
                      template parameters, 'Key=Value Key2=Value2' (as sam local; the flag may repeat)
  --env-vars <file>   sam local's JSON: {"Parameters": {...}} for all functions, {"MyFunction": {...}} for one
  --warm-containers <EAGER|LAZY>
                      start every function now (EAGER) or at its first invocation (LAZY, the default)
  --iam               check SigV4 signatures on AWS_IAM routes and @connections (local key pair); on by
                      itself with AuthMode=iam
  --host <address>    interface to listen on [SWITCHBOARD_HOST] (127.0.0.1; 0.0.0.0 lets Docker containers in,
                      for sam local invoke on Linux)
  --auth <mode>       anonymous (default); jwt: sign-in with JWTs from a local OIDC issuer, whose key is
                      kept in the data folder, mint test tokens on its page or with npm run token; iam:
                      AuthMode=iam, clients presign the WebSocket URL with the local key pair (npm run
                      presign prints one) [SWITCHBOARD_AUTH]
  --issuer-port <n>   the local OIDC issuer, with --auth jwt [SWITCHBOARD_ISSUER_PORT] (3006)
  --quiet             no per-connection and per-invocation lines
  --verbose           handler logs at DEBUG (default WARN)
  --help              this text
`;

/** Thrown for a flag or variable that is not a valid port. */
class UsageError extends Error {
  override name = 'UsageError';
}

function port(flag: string | undefined, variable: string, fallback: number): number {
  const raw = flag ?? process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new UsageError(`${variable}/--flag: not a port: ${raw}`);
  return value;
}

function positive(flag: string | undefined, variable: string, fallback: number): number {
  const raw = flag ?? process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${variable}/--flag: not a positive integer: ${raw}`);
  return value;
}

function authMode(flag: string | undefined): 'anonymous' | 'jwt' | 'iam' {
  const auth = flag ?? process.env.SWITCHBOARD_AUTH ?? 'anonymous';
  if (auth !== 'anonymous' && auth !== 'jwt' && auth !== 'iam')
    throw new UsageError(`SWITCHBOARD_AUTH/--auth: anonymous, jwt or iam, not ${auth}`);
  return auth;
}

function readOptions(argv: string[]): SwitchboardStackOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      'ws-port': { type: 'string' },
      'http-port': { type: 'string' },
      'web-port': { type: 'string' },
      'dynamo-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'function-concurrency': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      'parameter-overrides': { type: 'string', multiple: true },
      'env-vars': { type: 'string' },
      'warm-containers': { type: 'string' },
      iam: { type: 'boolean', default: false },
      host: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      auth: { type: 'string' },
      'issuer-port': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const warm = values['warm-containers']?.toUpperCase();
  if (warm !== undefined && warm !== 'EAGER' && warm !== 'LAZY')
    throw new UsageError(`--warm-containers: expected EAGER or LAZY, got ${values['warm-containers']}`);
  return {
    projectRoot: process.cwd(),
    parameters: readParameterOverrides(values['parameter-overrides'] ?? [], resolve('template.yaml'), process.cwd()),
    ...(values['env-vars'] === undefined ? {} : { envVars: readEnvVarsFile(resolve(values['env-vars'])) }),
    ...(warm === undefined ? {} : { warmContainers: warm }),
    iam: values.iam,
    wsPort: port(values['ws-port'], 'SWITCHBOARD_WS_PORT', 3001),
    httpPort: port(values['http-port'], 'SWITCHBOARD_HTTP_PORT', 3002),
    webPort: port(values['web-port'], 'SWITCHBOARD_WEB_PORT', 3000),
    dynamoPort: port(values['dynamo-port'], 'SWITCHBOARD_DYNAMO_PORT', 3005),
    concurrencyPerFunction: positive(
      values['function-concurrency'],
      'SWITCHBOARD_FUNCTION_CONCURRENCY',
      DEFAULT_CONCURRENCY_PER_FUNCTION,
    ),
    dataDir: values['in-memory']
      ? null
      : (values['data-dir'] ?? process.env.SWITCHBOARD_DATA_DIR ?? '.switchboard/data'),
    host: values.host ?? process.env.SWITCHBOARD_HOST ?? '127.0.0.1',
    quiet: values.quiet,
    verbose: values.verbose,
    auth: authMode(values.auth),
    issuerPort: port(values['issuer-port'], 'SWITCHBOARD_ISSUER_PORT', 3006),
  };
}

async function main(): Promise<void> {
  let options: SwitchboardStackOptions | null;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(HELP);
    return;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const time = (): string => new Date().toISOString().slice(11, 23);
  guardUnhandledRejections((line) => console.error(`${time()} ${line}`));
  // The token secret is read here, not only inside the stack, so that the env-vars file for
  // `sam local invoke` carries the same one (also with --in-memory, where each read makes a new one).
  const projectRoot = options.projectRoot ?? process.cwd();
  const tokenSecret = loadLocalSecret(options.dataDir ? resolve(projectRoot, options.dataDir) : null);
  const stack = await startSwitchboardStack({
    ...options,
    env: { TOKEN_SECRET: tokenSecret },
    log: (line) => console.log(`${time()} ${line}`),
  });
  const envVarsFile = relative(
    process.cwd(),
    writeSamLocalEnvVars(
      projectRoot,
      samLocalEnvVars({
        wsPort: portOf(stack.connectionsUrl),
        dynamoPort: portOf(stack.dynamoEndpoint),
        tokenSecret,
        tableName: stack.tableName('SwitchboardTable'),
        feedWorkerFunction: 'FeedWorkerFunction',
      }),
    ),
  );

  console.log(
    [
      '',
      'Switchboard local stack is up',
      `  WebSocket     ${stack.wsUrl}   (also ${stack.wsUrl}/${stack.stage})`,
      `  @connections  ${stack.connectionsUrl}/@connections/{connectionId}`,
      `  Lambda Invoke ${stack.connectionsUrl}/2015-03-31/functions/{name}/invocations`,
      `  HTTP API      ${stack.httpUrl}`,
      `  Front end     ${stack.webUrl ?? '(not served)'}`,
      `  DynamoDB      ${stack.dynamoEndpoint}   (data: ${options.dataDir ?? 'in memory'})`,
      `  sam local     sam local invoke -e events/hello.json --env-vars ${envVarsFile} SessionFunction`,
      ...(stack.issuer
        ? [
            `  Sign-in       AuthMode=jwt, issuer ${stack.issuer.issuer} (audience ${stack.issuer.audience})`,
            `  Test tokens   ${stack.issuer.mintUrl}   or   npm run token -- --sub alice --name Alice`,
          ]
        : []),
      ...(options.parameters?.AuthMode === 'iam' || options.auth === 'iam'
        ? [
            `  Sign-in       AuthMode=iam: presign the WebSocket URL with SigV4 (execute-api) and the local key pair`,
            `  Signed URL    npm run -s presign -- --name Ada${stack.wsUrl === 'ws://localhost:3001' ? '' : ` --url ${stack.wsUrl}`}   (docs/local-stack.md)`,
          ]
        : []),
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: closing connections (running $disconnect), servers and DynamoDB...`);
    stack.stop().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('stop failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (isTemplateProblem(error)) {
    console.error(templateProblemMessage(error, 'template.yaml'));
    process.exit(2);
  }
  const code = (error as { code?: string }).code;
  console.error(
    code === 'EADDRINUSE'
      ? `A port is already in use (${(error as Error).message}). Choose others with --ws-port etc., see --help.`
      : error,
  );
  process.exit(1);
});
