/**
 * `switchboard-local`: runs a SAM template locally (see docs/local-gateway.md). The bin
 * (`packages/local/bin/switchboard-local.mjs`) calls `runCli`; nothing runs on import.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HELP, readCliCommand } from './cli/cli-options';
import { CliUsageError } from './cli/cli-usage-error';
import { type LocalStack, startLocalStack } from './stack';
import { isTemplateProblem, templateProblemMessage } from './template-problem';
import { guardUnhandledRejections } from './unhandled-rejections';

/** Where the CLI writes, and the process it runs in (tests hand in their own). */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
};

function version(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function banner(stack: LocalStack, templateName: string, dataDir: string | null | undefined): string {
  return [
    '',
    `switchboard-local is running ${templateName}`,
    `  WebSocket     ${stack.wsUrl}   (also ${stack.wsUrl}/${stack.stage})`,
    `  @connections  ${stack.connectionsUrl}/@connections/{connectionId}`,
    `  Lambda Invoke ${stack.connectionsUrl}/2015-03-31/functions/{name}/invocations`,
    `  HTTP API      ${stack.httpUrl}`,
    `  DynamoDB      ${stack.dynamoEndpoint}   (data: ${dataDir ?? 'in memory'})`,
    ...(stack.sqsEndpoint ? [`  SQS           ${stack.sqsEndpoint}`] : []),
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/**
 * Runs the command line. Resolves with the exit code when the CLI is done without a server (help, bad
 * flags, a failed start), or with null once the stack is up: it then runs until SIGINT or SIGTERM and exits
 * the process itself.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number | null> {
  let command: ReturnType<typeof readCliCommand>;
  try {
    command = readCliCommand(argv, io.cwd);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.err(`switchboard-local: ${error.message}\nRun switchboard-local --help for the options.`);
    return 2;
  }
  if (command.kind === 'help') {
    io.out(HELP);
    return 0;
  }
  if (command.kind === 'version') {
    io.out(version());
    return 0;
  }

  for (const warning of command.warnings) io.err(`switchboard-local: ${warning}`);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const time = (): string => new Date().toISOString().slice(11, 23);
  guardUnhandledRejections((line) => io.err(`${time()} ${line}`));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ ...command.stack, log: (line) => io.out(`${time()} ${line}`) });
  } catch (error) {
    if (isTemplateProblem(error)) {
      io.err(`switchboard-local: ${templateProblemMessage(error, relative(io.cwd, command.templatePath))}`);
      return 2;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(
        `switchboard-local: a port is already in use (${(error as Error).message}); choose others with --port etc.`,
      );
      return 1;
    }
    throw error;
  }
  io.out(banner(stack, relative(io.cwd, command.templatePath) || command.templatePath, command.stack.dataDir));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      io.out(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    io.out(`\n${signal}: closing connections (running $disconnect), servers and DynamoDB...`);
    stack.stop().then(
      () => {
        io.out('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        io.err(`stop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return null;
}
