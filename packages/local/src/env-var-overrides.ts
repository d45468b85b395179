import type { FunctionModel } from './stack-model';

/**
 * Environment overrides in the shape of a `sam local --env-vars` file: `Parameters` for every function, then
 * objects keyed by a function's logical id (or its `FunctionName`). Values are strings, as Lambda passes them.
 */
export type EnvVarOverrides = Record<string, Record<string, string>>;

/**
 * The function with its template variables replaced by the overrides, as SAM CLI does it: only a variable the
 * function's `Environment` declares (its own or through Globals) changes, and a function's own entry wins over
 * `Parameters`. The values then go through the stack's usual environment, exactly like template values.
 */
export function withEnvVarOverrides(fn: FunctionModel, overrides: EnvVarOverrides | undefined): FunctionModel {
  if (!overrides) return fn;
  const scopes = [
    overrides.Parameters,
    fn.functionName ? overrides[fn.functionName] : undefined,
    overrides[fn.logicalId],
  ];
  const environment = { ...fn.environment };
  let changed = false;
  for (const name of Object.keys(environment)) {
    for (const scope of scopes) {
      const value = scope?.[name];
      if (value === undefined) continue;
      environment[name] = value;
      changed = true;
    }
  }
  return changed ? { ...fn, environment } : fn;
}
