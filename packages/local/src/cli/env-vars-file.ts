import { readFileSync } from 'node:fs';
import type { EnvVarOverrides } from '../env-var-overrides';
import { CliUsageError } from './cli-usage-error';

/** SAM CLI's conversion: `true`/`false` as such, numbers as written, anything else (null, lists, objects) empty. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Reads and checks an `--env-vars` file; a missing file or one that is not such an object is a usage error. */
export function readEnvVarsFile(path: string): EnvVarOverrides {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`--env-vars: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`--env-vars: ${path} is not JSON (${(error as Error).message})`);
  }
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(parsed))
    throw new CliUsageError(`--env-vars: ${path} must hold an object like {"Parameters": {...}, "MyFunction": {...}}`);
  const result: EnvVarOverrides = {};
  for (const [scope, variables] of Object.entries(parsed)) {
    if (!isObject(variables))
      throw new CliUsageError(
        `--env-vars: ${path}: "${scope}" must be an object of variables (its name: "Parameters" or a function's logical id)`,
      );
    result[scope] = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, stringify(value)]));
  }
  return result;
}
