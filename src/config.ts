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
    MESSAGE_TTL_HOURS: positiveInt(24),
    SESSION_TTL_DAYS: positiveInt(7),
    /** The token secret itself (local stack, tests) or the Secrets Manager secret that holds it (AWS). */
    TOKEN_SECRET: z.string().min(16).optional(),
    TOKEN_SECRET_ARN: z.string().min(1).optional(),
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
