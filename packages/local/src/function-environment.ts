import type { IntrinsicResolver } from './intrinsic-resolver';
import type { FunctionModel } from './stack-model';

export interface LocalEnvironmentOptions {
  resolver: IntrinsicResolver;
  region: string;
  dynamoEndpoint: string;
  /** `http://localhost:<wsPort>`: the `@connections` and Lambda Invoke endpoints. */
  gatewayEndpoint: string;
  quiet: boolean;
  verbose: boolean;
  /** Applied last, over everything else (tests set a fast feed pace this way). */
  overrides: Record<string, string>;
}

/** Template variables that would change the local process itself rather than the handler. */
const SKIPPED = new Set(['NODE_OPTIONS', 'AWS_LAMBDA_EXEC_WRAPPER']);

/**
 * The environment of a function locally: its template variables (Globals merged, intrinsics resolved
 * against local values) plus what points the AWS SDK at the local stack.
 */
export function createFunctionEnvironment(options: LocalEnvironmentOptions) {
  return (fn: FunctionModel): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(fn.environment)) {
      if (SKIPPED.has(name)) continue;
      const resolved = options.resolver.resolveString(value);
      if (resolved !== undefined) env[name] = resolved;
    }
    Object.assign(env, {
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SAM_LOCAL: 'true',
      // What Lambda sets; the local Lambda Invoke API knows a function by its logical id (also what `!Ref` gives).
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_ENDPOINT: options.dynamoEndpoint,
      MANAGEMENT_ENDPOINT: options.gatewayEndpoint,
      LAMBDA_ENDPOINT: options.gatewayEndpoint,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.verbose ? 'DEBUG' : 'WARN',
      ...(options.quiet ? {} : { POWERTOOLS_DEV: 'true' }),
    });
    return { ...env, ...options.overrides };
  };
}
