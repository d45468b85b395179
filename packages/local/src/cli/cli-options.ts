import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CfnValue, parseCloudFormationYaml } from '../cfn-yaml';
import type { EnvVarOverrides } from '../env-var-overrides';
import { DEFAULT_CONCURRENCY_PER_FUNCTION, type LocalStackOptions } from '../stack';
import { CliUsageError } from './cli-usage-error';
import { readEnvVarsFile } from './env-vars-file';
import { parseParameterOverrides } from './parameter-overrides';

export const HELP = `Usage: switchboard-local [options]

Runs a SAM template's WebSocket API, HTTP API, Lambda functions, DynamoDB tables and SQS queues on this
machine: no AWS account, no Docker. Ctrl-C stops everything (each open connection gets its $disconnect).

Options:
  -t, --template <path>          the SAM template (default: template.yaml, else template.yml, in this folder);
                                 CodeUri is relative to its folder
      --parameter-overrides <s>  template parameters: 'Key=Value Key2=Value2' or
                                 'ParameterKey=Key,ParameterValue=Value ...' (quote values with spaces;
                                 the flag may repeat)
  -n, --env-vars <file>          JSON: {"Parameters": {...}} for all functions, {"MyFunction": {...}} for one;
                                 only variables the template declares for a function change
  -p, --port <n>                 WebSocket gateway, @connections and the Lambda Invoke API (default 3001)
      --http-port <n>            HTTP API (default 3002)
      --dynamo-port <n>          embedded DynamoDB (default 3005); 0 for any free port, as for the others
      --host <address>           interface to listen on (default 127.0.0.1)
      --warm-containers <mode>   LAZY: start a function at its first invocation (default);
                                 EAGER: start them all now and report load errors at once
      --iam                      check SigV4 signatures where the template asks for AWS_IAM (local key pair)
      --data-dir <path>          where tables and open connections survive restarts (default .switchboard/data)
      --in-memory                keep nothing across restarts
      --function-concurrency <n> invocations of one function at once; more wait (default ${DEFAULT_CONCURRENCY_PER_FUNCTION})
      --quiet                    no per-connection and per-invocation lines
      --verbose                  handler logs at DEBUG (Powertools; default WARN)
  -h, --help                     this text
  -v, --version                  the version

Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 failed while running; 2 bad flags or a template it cannot run.
`;

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'start';
      templatePath: string;
      stack: LocalStackOptions & { templatePath: string; projectRoot: string };
      /** What the user may want to fix, though the stack can run. */
      warnings: string[];
    };

const FLAGS = {
  template: { type: 'string', short: 't' },
  'parameter-overrides': { type: 'string', multiple: true },
  'env-vars': { type: 'string', short: 'n' },
  port: { type: 'string', short: 'p' },
  'http-port': { type: 'string' },
  'dynamo-port': { type: 'string' },
  host: { type: 'string' },
  'warm-containers': { type: 'string' },
  iam: { type: 'boolean' },
  'data-dir': { type: 'string' },
  'in-memory': { type: 'boolean' },
  'function-concurrency': { type: 'string' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max)
    throw new CliUsageError(`--${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function findTemplate(cwd: string, flag: string | undefined): string {
  if (flag !== undefined) {
    const path = resolve(cwd, flag);
    if (!existsSync(path)) throw new CliUsageError(`--template: ${flag} does not exist`);
    return path;
  }
  const found = ['template.yaml', 'template.yml'].map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  if (!found) throw new CliUsageError(`no template.yaml or template.yml in ${cwd}: name one with --template`);
  return found;
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};

function readTemplate(templatePath: string): Obj {
  try {
    return asObj(parseCloudFormationYaml(readFileSync(templatePath, 'utf8')));
  } catch (error) {
    throw new CliUsageError(`${templatePath} is not a readable YAML or JSON template: ${(error as Error).message}`);
  }
}

/**
 * A line for each `--env-vars` entry that names no function of the template: SAM CLI ignores those without a
 * word, and a misspelt logical id then changes nothing. A warning, not an error, since a `FunctionName` built
 * with an intrinsic is only known once the stack resolves it.
 */
function envVarsWarnings(envVars: EnvVarOverrides, template: Obj, envVarsPath: string): string[] {
  const functions = Object.entries(asObj(template.Resources)).filter(([, resource]) =>
    ['AWS::Serverless::Function', 'AWS::Lambda::Function'].includes(String(asObj(resource).Type)),
  );
  const names = new Set(['Parameters', ...functions.map(([id]) => id)]);
  for (const [, resource] of functions) {
    const name = asObj(asObj(resource).Properties).FunctionName;
    if (typeof name === 'string') names.add(name);
  }
  return Object.keys(envVars)
    .filter((scope) => !names.has(scope))
    .map(
      (scope) =>
        `--env-vars: ${envVarsPath} has variables for "${scope}", which is no function of the template (ignored;` +
        ` its functions: ${functions.map(([id]) => id).join(', ') || 'none'})`,
    );
}

/**
 * `--parameter-overrides` checked against the template: a name it does not declare is an error, as
 * CloudFormation makes it, rather than a value that silently changes nothing.
 */
export function readParameterOverrides(
  occurrences: readonly string[],
  templatePath: string,
  cwd: string,
): Record<string, string> {
  const parameters = parseParameterOverrides(occurrences);
  if (Object.keys(parameters).length === 0) return parameters;
  const known = Object.keys(asObj(readTemplate(templatePath).Parameters));
  const unknown = Object.keys(parameters).filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new CliUsageError(
      `--parameter-overrides: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a parameter' : 'are not parameters'} of ${relative(cwd, templatePath) || templatePath}` +
        ` (it has: ${known.join(', ') || 'none'})`,
    );
  return parameters;
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs's own messages name the flag ("Unknown option '--prot'"); they are the user's to read.
    throw new CliUsageError((error as Error).message);
  }
}

/** Reads the command line (and the files it names) into what to do; a CliUsageError says what is wrong. */
export function readCliCommand(argv: readonly string[], cwd: string): CliCommand {
  const values = parseFlags(argv);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['in-memory'] && values['data-dir'] !== undefined)
    throw new CliUsageError('--in-memory and --data-dir exclude each other');
  const warm = values['warm-containers']?.toUpperCase();
  if (warm !== undefined && warm !== 'EAGER' && warm !== 'LAZY')
    throw new CliUsageError(
      `--warm-containers: expected EAGER or LAZY, got ${JSON.stringify(values['warm-containers'])}`,
    );

  const templatePath = findTemplate(cwd, values.template);
  const parameters = readParameterOverrides(values['parameter-overrides'] ?? [], templatePath, cwd);

  const envVarsPath = values['env-vars'];
  const envVars = envVarsPath === undefined ? undefined : readEnvVarsFile(resolve(cwd, envVarsPath));

  return {
    kind: 'start',
    templatePath,
    warnings: envVars && envVarsPath ? envVarsWarnings(envVars, readTemplate(templatePath), envVarsPath) : [],
    stack: {
      templatePath,
      projectRoot: resolve(templatePath, '..'),
      parameters,
      ...(envVars ? { envVars } : {}),
      wsPort: integer('port', values.port, 3001, 0, 65535),
      httpPort: integer('http-port', values['http-port'], 3002, 0, 65535),
      dynamoPort: integer('dynamo-port', values['dynamo-port'], 3005, 0, 65535),
      host: values.host ?? '127.0.0.1',
      warmContainers: warm ?? 'LAZY',
      iam: values.iam ?? false,
      dataDir: values['in-memory'] ? null : resolve(cwd, values['data-dir'] ?? '.switchboard/data'),
      concurrencyPerFunction: integer(
        'function-concurrency',
        values['function-concurrency'],
        DEFAULT_CONCURRENCY_PER_FUNCTION,
        1,
        100_000,
      ),
      quiet: values.quiet ?? false,
      verbose: values.verbose ?? false,
    },
  };
}
