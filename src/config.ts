import {
  describeValidationError,
  type Infer,
  object,
  oneOf,
  optional,
  refine,
  text,
  url,
  wholeNumberText,
  withDefault,
} from './validation';

const count = (fallback: number, min = 1) => withDefault(wholeNumberText(min), fallback);
/** A bounded setting: the same range as the template parameter that sets it (MinValue, MaxValue). */
const bounded = (fallback: number, min: number, max: number) => withDefault(wholeNumberText(min, max), fallback);
const optionalUrl = optional(url());

const schema = object({
  TABLE_NAME: text(1),
  AWS_REGION: withDefault(text(1), 'us-east-1'),
  /** Only for `sam local invoke --env-vars` and tests; unset, the SDK's default (which honours AWS_ENDPOINT_URL_DYNAMODB). */
  DYNAMODB_ENDPOINT: optionalUrl,
  /** The @connections endpoint (template.yaml always sets it); when absent, e.g. a bare `sam local invoke`, it is built from each request. */
  MANAGEMENT_ENDPOINT: optionalUrl,
  /** Only for `sam local invoke --env-vars`; unset, the SDK's default (which honours AWS_ENDPOINT_URL_LAMBDA). */
  LAMBDA_ENDPOINT: optionalUrl,
  FAN_OUT_CONCURRENCY: count(50),
  /** The fan-out job queue; unset (a bare `sam local invoke`), every broadcast is delivered in place. */
  FAN_OUT_QUEUE_URL: optional(text(1)),
  /** The presence change queue; unset (a bare `sam local invoke`), changes are announced in place. */
  PRESENCE_QUEUE_URL: optional(text(1)),
  /** The sign-in expiry queue (`AuthMode=jwt`): delayed checks that end a connection when its token expires. */
  SIGN_IN_EXPIRY_QUEUE_URL: optional(text(1)),
  /** Optional: unset, the SDK's default endpoint (which honours AWS_ENDPOINT_URL_SQS, as the local stack sets it). */
  SQS_ENDPOINT: optionalUrl,
  /** Channels up to this many subscribers are delivered by the publishing invocation. */
  FAN_OUT_DIRECT_MAX: count(100, 0),
  FAN_OUT_MAX_SHARDS: count(16),
  FAN_OUT_SUBSCRIBERS_PER_JOB: count(500),
  /** `@connections` calls one fan-out worker invocation keeps in flight. */
  FAN_OUT_WORKER_CALLS_IN_FLIGHT: count(50),
  SUBSCRIBER_PAGE_SIZE: count(100),
  CONNECT_GRACE_MS: count(30_000, 0),
  MESSAGE_TTL_HOURS: count(24),
  SESSION_TTL_DAYS: count(7),
  /** Per-connection token buckets, one per route class (`ROUTE_CLASSES`): sustained frames per second, and burst. */
  PUBLISH_RATE_PER_SECOND: bounded(10, 1, 1000),
  PUBLISH_BURST: bounded(20, 1, 1000),
  SUBSCRIBE_RATE_PER_SECOND: bounded(10, 1, 1000),
  SUBSCRIBE_BURST: bounded(100, 1, 1000),
  READ_RATE_PER_SECOND: bounded(5, 1, 1000),
  READ_BURST: bounded(10, 1, 1000),
  CHAT_RATE_PER_SECOND: bounded(10, 1, 1000),
  CHAT_BURST: bounded(20, 1, 1000),
  SESSION_RATE_PER_SECOND: bounded(5, 1, 1000),
  SESSION_BURST: bounded(10, 1, 1000),
  /** Topic subscriptions one connection may hold; also what `$disconnect` must clean up in time. */
  MAX_SUBSCRIPTIONS_PER_CONNECTION: bounded(100, 1, 1000),
  /** Named chat rooms one connection may be in (the default room does not count). */
  MAX_ROOMS_PER_CONNECTION: bounded(10, 1, 100),
  /** Whether `$connect` puts every connection in the default room (false: a topics-only deployment). */
  JOIN_DEFAULT_ROOM_ON_CONNECT: withDefault(oneOf(['true', 'false']), 'true'),
  /** Presence is coalesced per room over this many seconds (also the presence queue's batching window). */
  PRESENCE_INTERVAL_SECONDS: bounded(1, 1, 60),
  /** Rooms with more users than this get counts instead of each join and leave. */
  PRESENCE_ROSTER_MAX: bounded(1000, 1, 1_000_000),
  /** The token secret itself (local stack, tests) or the Secrets Manager secret that holds it (AWS). */
  TOKEN_SECRET: optional(text(16)),
  TOKEN_SECRET_ARN: optional(text(1)),
  /** The feed worker function that `teleread` invokes asynchronously (the worker itself uses its own name). */
  FEED_WORKER_FUNCTION: optional(text(1)),
  /** Set by Lambda (and the local stack): the function's own name, which the feed worker hands its stream on to. */
  AWS_LAMBDA_FUNCTION_NAME: optional(text(1)),
  FEED_INTERVAL_MS: count(100, 0),
  FEED_CHUNK_SIZE: count(1),
  /** Hand the stream to a fresh invocation after this long, even with time left (tests use a small value). */
  FEED_MAX_INVOCATION_MS: count(14 * 60 * 1000),
  /** Hand off when less than this is left of the invocation's time. */
  FEED_HANDOFF_MARGIN_MS: count(10_000),
  /** Where the tele-read article comes from: the bundled text, or a Wikipedia page pinned at its first revision read. */
  ARTICLE_SOURCE: withDefault(oneOf(['bundled', 'wikipedia']), 'bundled'),
  WIKIPEDIA_TITLE: withDefault(text(1, 255), 'WebSocket'),
  WIKIPEDIA_API_URL: withDefault(url(), 'https://en.wikipedia.org/w/api.php'),
  WIKIPEDIA_TIMEOUT_MS: count(5_000),
  /** How `$connect` knows who connects: anonymous session tokens, a JWT checked by the authorizer, or SigV4 (docs/auth.md). */
  AUTH_MODE: withDefault(oneOf(['anonymous', 'jwt', 'iam']), 'anonymous'),
}).check(
  refine((env) => env.TOKEN_SECRET !== undefined || env.TOKEN_SECRET_ARN !== undefined, {
    message: 'Set TOKEN_SECRET or TOKEN_SECRET_ARN',
  }),
);

export type Config = Infer<typeof schema>;

/** Reads and checks the environment once; a misconfigured function fails at start, not per request. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable is an unset one: the template declares DYNAMODB_ENDPOINT, LAMBDA_ENDPOINT and
  // TOKEN_SECRET empty, so that `sam local invoke --env-vars` may set them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(present, { reportInput: true });
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${describeValidationError(parsed.error, 'env')}`);
  }
  return parsed.data;
}

const authorizerSchema = object({
  /** The `iss` of accepted tokens (a Cognito user pool: `https://cognito-idp.{region}.amazonaws.com/{poolId}`). */
  JWT_ISSUER: url(),
  /** The `aud` of accepted tokens (Cognito: the app client id). */
  JWT_AUDIENCE: text(1),
  /** The issuer's signing keys; `{JWT_ISSUER}/.well-known/jwks.json` when unset, as OIDC issuers and Cognito publish them. */
  JWT_JWKS_URL: optionalUrl,
  /** The claim holding the display name. */
  JWT_NAME_CLAIM: withDefault(text(1), 'name'),
});

export type AuthorizerConfig = Infer<typeof authorizerSchema>;

/** The `$connect` authorizer's configuration (`AuthMode=jwt`), checked once per container like the rest. */
export function loadAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = authorizerSchema.safeParse(present, { reportInput: true });
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${describeValidationError(parsed.error, 'env')}`);
  }
  return parsed.data;
}
