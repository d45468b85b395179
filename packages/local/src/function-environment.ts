import type { IntrinsicResolver } from './intrinsic-resolver';
import type { FunctionModel } from './stack-model';

export interface LocalEnvironmentOptions {
  resolver: IntrinsicResolver;
  region: string;
  dynamoEndpoint: string;
  /** `http://localhost:<wsPort>`: the Lambda Invoke API (and `@connections`, reached by redirection). */
  gatewayEndpoint: string;
  /** The local SQS endpoint, when the template has queues. */
  sqsEndpoint: string | null;
  /** The key pair functions sign with (the one `--iam` checks signatures against). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  quiet: boolean;
  verbose: boolean;
  /** Applied last, over everything else (tests set a fast feed pace this way). */
  overrides: Record<string, string>;
}

/**
 * Template variables that would change the local process itself rather than the handler. NODE_OPTIONS is kept:
 * a container turns source maps on when it has `--enable-source-maps`, as Lambda does; its other options cannot
 * change a running worker thread.
 */
const SKIPPED = new Set(['AWS_LAMBDA_EXEC_WRAPPER']);

/**
 * The environment of a function locally: its template variables (Globals merged, intrinsics resolved
 * against local values) plus the AWS SDK's own endpoint variables (`AWS_ENDPOINT_URL_<SERVICE>`), which
 * unmodified SDK v3 clients honour. `@connections` needs none: its AWS URL is redirected (aws-redirect.ts).
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
      AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
      AWS_SAM_LOCAL: 'true',
      // What Lambda sets; the local Lambda Invoke API knows a function by its logical id (also what `!Ref` gives).
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: options.gatewayEndpoint,
      ...(options.sqsEndpoint ? { AWS_ENDPOINT_URL_SQS: options.sqsEndpoint } : {}),
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.verbose ? 'DEBUG' : 'WARN',
      ...(options.quiet ? {} : { POWERTOOLS_DEV: 'true' }),
    });
    return { ...env, ...options.overrides };
  };
}
