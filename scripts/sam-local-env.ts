import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The `--env-vars` file for `sam local invoke` against a running `npm start`: it points every function at
 * the local stack's DynamoDB, `@connections` and Lambda Invoke API as seen from inside SAM's container, and
 * gives it the stack's token secret, so that tokens signed there are valid here. Written by `npm start`
 * (ports and secret are those of the running stack). See docs/deploy.md.
 *
 * SAM CLI sets from this file only the variables the template declares for a function (it ignores the
 * others without a word): all of these are declared in the template's Globals, empty where AWS needs none.
 */
export const SAM_LOCAL_ENV_FILE = join('.switchboard', 'sam-local-env.json');

/** How a container that SAM CLI starts reaches the host (Docker Desktop; on Linux, with `--add-host`). */
export const CONTAINER_HOST = 'host.docker.internal';

export interface SamLocalEnvOptions {
  /** The local stack's WebSocket port: `@connections` and the Lambda Invoke API. */
  wsPort: number;
  dynamoPort: number;
  tokenSecret: string;
  /** The local name of the table (the stack names it by its logical id). */
  tableName: string;
  /** A name the local Lambda Invoke API knows the feed worker by. */
  feedWorkerFunction: string;
  /** The stack's host as the function sees it (default host.docker.internal). */
  host?: string;
}

/**
 * `{ "Parameters": {...}, "FeedFunction": {...} }`: SAM CLI applies `Parameters` to every function and a
 * section named after a function to that function alone (only `FeedFunction` declares the worker's name).
 */
export type SamLocalEnvFile = {
  Parameters: Record<string, string>;
  FeedFunction: Record<string, string>;
};

export function samLocalEnvVars(options: SamLocalEnvOptions): SamLocalEnvFile {
  const host = options.host ?? CONTAINER_HOST;
  const gateway = `http://${host}:${options.wsPort}`;
  return {
    Parameters: {
      TABLE_NAME: options.tableName,
      DYNAMODB_ENDPOINT: `http://${host}:${options.dynamoPort}`,
      MANAGEMENT_ENDPOINT: gateway,
      LAMBDA_ENDPOINT: gateway,
      TOKEN_SECRET: options.tokenSecret,
    },
    FeedFunction: { FEED_WORKER_FUNCTION: options.feedWorkerFunction },
  };
}

/** The port of an endpoint URL such as `http://localhost:3001`. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Writes the file under the project root; returns its path. */
export function writeSamLocalEnvVars(projectRoot: string, file: SamLocalEnvFile): string {
  const path = join(projectRoot, SAM_LOCAL_ENV_FILE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/**
 * The environment SAM CLI gives a function with `--env-vars`: the template's variables (Globals merged,
 * resolved), each replaced by the file's value when it has one (function section over `Parameters`), and
 * nothing the template does not declare; then SAM's own AWS variables (the function's name is its logical id).
 */
export function samLocalEnvironment(
  logicalId: string,
  declared: Record<string, string | undefined>,
  file: Record<string, Record<string, string> | undefined>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    const override = file[logicalId]?.[name] ?? file.Parameters?.[name];
    const chosen = override ?? value;
    if (chosen !== undefined) env[name] = chosen;
  }
  return {
    ...env,
    AWS_SAM_LOCAL: 'true',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'defaultkey',
    AWS_SECRET_ACCESS_KEY: 'defaultsecret',
  };
}
