import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z
  .object({
    TABLE_NAME: z.string().min(1),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    /** Only for the local stack and tests: the embedded DynamoDB. */
    DYNAMODB_ENDPOINT: z.url().optional(),
    /** The @connections endpoint; when absent it is built from each request. */
    MANAGEMENT_ENDPOINT: z.url().optional(),
    /** Only for the local stack: its Lambda Invoke API. */
    LAMBDA_ENDPOINT: z.url().optional(),
    FAN_OUT_CONCURRENCY: positiveInt(50),
    SUBSCRIBER_PAGE_SIZE: positiveInt(100),
    CONNECT_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
    MESSAGE_TTL_HOURS: positiveInt(24),
    SESSION_TTL_DAYS: positiveInt(7),
    CHAT_RATE_PER_SECOND: positiveInt(10),
    CHAT_BURST: positiveInt(20),
    /** The token secret itself (local stack, tests) or the Secrets Manager secret that holds it (AWS). */
    TOKEN_SECRET: z.string().min(16).optional(),
    TOKEN_SECRET_ARN: z.string().min(1).optional(),
    /** The feed worker function that `teleread` invokes asynchronously. */
    FEED_WORKER_FUNCTION: z.string().min(1).optional(),
    FEED_INTERVAL_MS: z.coerce.number().int().min(0).default(100),
    FEED_CHUNK_SIZE: positiveInt(1),
    /** Hand the stream to a fresh invocation after this long, even with time left (tests use a small value). */
    FEED_MAX_INVOCATION_MS: positiveInt(14 * 60 * 1000),
    /** Hand off when less than this is left of the invocation's time. */
    FEED_HANDOFF_MARGIN_MS: positiveInt(10_000),
  })
  .refine((env) => env.TOKEN_SECRET !== undefined || env.TOKEN_SECRET_ARN !== undefined, {
    message: 'Set TOKEN_SECRET or TOKEN_SECRET_ARN',
  });

export type Config = z.infer<typeof schema>;

/** Reads and checks the environment once; a misconfigured function fails at start, not per request. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
