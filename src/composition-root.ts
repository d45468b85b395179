import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiGatewayNotifier } from './adapters/apigateway/api-gateway-notifier';
import { ConnectionsApi } from './adapters/apigateway/connections-api';
import { managementEndpoint, type RequestEndpoint } from './adapters/apigateway/management-endpoint';
import { BundledArticleSource } from './adapters/article/bundled-article-source';
import { WikipediaArticleSource } from './adapters/article/wikipedia-article-source';
import { HmacTokenSigner } from './adapters/crypto/hmac-token-signer';
import { DynamoDbArticlePins } from './adapters/dynamodb/dynamodb-article-pins';
import { DynamoDbConnectionRepository } from './adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbFeedCursorRepository } from './adapters/dynamodb/dynamodb-feed-cursor-repository';
import { DynamoDbMessageLog } from './adapters/dynamodb/dynamodb-message-log';
import { DynamoDbPresenceLedger } from './adapters/dynamodb/dynamodb-presence-ledger';
import { DynamoDbRateLimiter } from './adapters/dynamodb/dynamodb-rate-limiter';
import { DynamoDbSessionHistory } from './adapters/dynamodb/dynamodb-session-history';
import { DynamoDbSubscriptionRepository } from './adapters/dynamodb/dynamodb-subscription-repository';
import { DynamoDbUserRepository } from './adapters/dynamodb/dynamodb-user-repository';
import type { TableContext } from './adapters/dynamodb/table';
import { LambdaFeedScheduler } from './adapters/lambda/lambda-feed-scheduler';
import type { SqsQueues } from './adapters/sqs/sqs-queues';
import { randomIds } from './adapters/system/random-ids';
import { systemClock } from './adapters/system/system-clock';
import { type Config, loadConfig } from './config';
import type { Dependencies } from './domain/dependencies';
import type { ArticleSource } from './domain/ports/article-source';
import type { FanOutQueue } from './domain/ports/fan-out-queue';
import type { FeedScheduler } from './domain/ports/feed-scheduler';
import type { PresenceChanges } from './domain/ports/presence-changes';
import type { SignInExpiry } from './domain/ports/sign-in-expiry';
import { announcePresence } from './domain/use-cases/announce-presence';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Builds the dependencies of a request: everything but the notifier is shared by the container. */
export type DependencyFactory = (request?: RequestEndpoint) => Promise<Dependencies>;

/**
 * The one place that reads configuration and builds clients. Called at module scope by each handler,
 * so clients and the token secret are made once per container and reused by every invocation.
 */
export function createDependencyFactory(config: Config = loadConfig()): DependencyFactory {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: config.AWS_REGION,
      ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const table: TableContext = { client, tableName: config.TABLE_NAME, clock: systemClock };
  const subscriptions = new DynamoDbSubscriptionRepository(table, { pageSize: config.SUBSCRIBER_PAGE_SIZE });
  const sqs = lazySqs(config);
  const shared = {
    connections: new DynamoDbConnectionRepository(table),
    subscriptions,
    subscriberShards: subscriptions,
    fanOutQueue: createFanOutQueue(config, sqs),
    presenceChanges: createPresenceChanges(config, sqs),
    presenceLedger: new DynamoDbPresenceLedger(table),
    messages: new DynamoDbMessageLog(table, { messageTtlSeconds: config.MESSAGE_TTL_HOURS * 3600 }),
    users: new DynamoDbUserRepository(table, { sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400 }),
    clock: systemClock,
    ids: randomIds,
    article: createArticleSource(config, table),
    settings: {
      fanOutConcurrency: config.FAN_OUT_CONCURRENCY,
      connectGraceMs: config.CONNECT_GRACE_MS,
      ...(config.FAN_OUT_QUEUE_URL
        ? {
            fanOutPlan: {
              directMax: config.FAN_OUT_DIRECT_MAX,
              maxShards: config.FAN_OUT_MAX_SHARDS,
              subscribersPerJob: config.FAN_OUT_SUBSCRIBERS_PER_JOB,
            },
          }
        : {}),
      maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxRoomsPerConnection: config.MAX_ROOMS_PER_CONNECTION,
      joinDefaultRoomOnConnect: config.JOIN_DEFAULT_ROOM_ON_CONNECT === 'true',
      presence: {
        intervalMs: config.PRESENCE_INTERVAL_SECONDS * 1000,
        rosterMax: config.PRESENCE_ROSTER_MAX,
      },
    },
    feeds: new DynamoDbFeedCursorRepository(table),
    rateLimiter: new DynamoDbRateLimiter(table, {
      publish: { ratePerSecond: config.PUBLISH_RATE_PER_SECOND, burst: config.PUBLISH_BURST },
      subscribe: { ratePerSecond: config.SUBSCRIBE_RATE_PER_SECOND, burst: config.SUBSCRIBE_BURST },
      read: { ratePerSecond: config.READ_RATE_PER_SECOND, burst: config.READ_BURST },
      chat: { ratePerSecond: config.CHAT_RATE_PER_SECOND, burst: config.CHAT_BURST },
      session: { ratePerSecond: config.SESSION_RATE_PER_SECOND, burst: config.SESSION_BURST },
    }),
    sessions: new DynamoDbSessionHistory(table, { retentionSeconds: config.SESSION_TTL_DAYS * 86_400 }),
    signInExpiry: createSignInExpiry(config, sqs),
    scheduler: createFeedScheduler(config),
    tokens: new HmacTokenSigner({
      secret: () => readTokenSecret(config),
      clock: systemClock,
      maxAgeMs: config.SESSION_TTL_DAYS * DAY_MS,
    }),
  };
  const notifiers = new Map<string, ApiGatewayNotifier>();
  // The SDK's credential chain (the function's role in Lambda), resolved once and refreshed before expiry.
  const credentials = defaultProvider();

  return async (request) => {
    const endpoint = managementEndpoint(request, config.MANAGEMENT_ENDPOINT);
    let notifier = notifiers.get(endpoint);
    if (!notifier) {
      notifier = new ApiGatewayNotifier(
        new ConnectionsApi({
          endpoint,
          region: config.AWS_REGION,
          credentials,
          // One socket per call in flight: a broadcast is not capped below its concurrency.
          maxSockets: config.FAN_OUT_CONCURRENCY,
        }),
      );
      notifiers.set(endpoint, notifier);
    }
    const deps: Dependencies = { ...shared, notifier };
    // No presence queue (a bare `sam local invoke`): the worker's own use case announces each change in place.
    if (!config.PRESENCE_QUEUE_URL) deps.presenceChanges = inPlacePresenceChanges(deps);
    return deps;
  };
}

function createArticleSource(config: Config, table: TableContext): ArticleSource {
  if (config.ARTICLE_SOURCE === 'bundled') return new BundledArticleSource();
  return new WikipediaArticleSource({
    title: config.WIKIPEDIA_TITLE,
    apiUrl: config.WIKIPEDIA_API_URL,
    timeoutMs: config.WIKIPEDIA_TIMEOUT_MS,
    pins: new DynamoDbArticlePins(table),
  });
}

/**
 * The SQS adapters, loaded on the first message rather than at every cold start: most invocations send none
 * (the feed never; the topics and HTTP functions only for a large channel or a gone connection).
 */
function lazySqs(config: Config): () => Promise<SqsQueues> {
  return lazily(async () => {
    const { SqsQueues } = await import('./adapters/sqs/sqs-queues');
    return new SqsQueues({
      region: config.AWS_REGION,
      ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    });
  });
}

/** Loads once; a failed load is not remembered, so that the next call tries again. */
function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

function createFanOutQueue(config: Config, sqs: () => Promise<SqsQueues>): FanOutQueue {
  const queueUrl = config.FAN_OUT_QUEUE_URL;
  if (!queueUrl) return { enqueue: () => Promise.reject(new Error('FAN_OUT_QUEUE_URL is not configured')) };
  return { enqueue: async (jobs) => (await sqs()).fanOutQueue(queueUrl).enqueue(jobs) };
}

/** Presence changes announced by the caller itself, as the presence worker would: only without a queue. */
function inPlacePresenceChanges(deps: Dependencies): PresenceChanges {
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return {
    mark: async (changes) => {
      const received = changes.map((change, i) => ({ id: String(i), change }));
      const { errors } = await announcePresence({ ...deps, pause }, received);
      if (errors.length > 0) throw new Error(`Presence was not announced in ${errors.length} rooms`, { cause: errors });
    },
  };
}

function createPresenceChanges(config: Config, sqs: () => Promise<SqsQueues>): PresenceChanges {
  const queueUrl = config.PRESENCE_QUEUE_URL;
  // Replaced per request by `inPlacePresenceChanges`, which needs the request's notifier.
  if (!queueUrl) return { mark: () => Promise.reject(new Error('PRESENCE_QUEUE_URL is not configured')) };
  return { mark: async (changes) => (await sqs()).presenceChanges(queueUrl).mark(changes) };
}

function createSignInExpiry(config: Config, sqs: () => Promise<SqsQueues>): SignInExpiry {
  const queueUrl = config.SIGN_IN_EXPIRY_QUEUE_URL;
  // Only a signed-in connection whose token expires asks (AuthMode=jwt, where the template sets the queue).
  if (!queueUrl) return { schedule: () => Promise.reject(new Error('SIGN_IN_EXPIRY_QUEUE_URL is not configured')) };
  return { schedule: async (check) => (await sqs()).signInExpiry(queueUrl, systemClock).schedule(check) };
}

function createFeedScheduler(config: Config): FeedScheduler {
  const functionName = config.FEED_WORKER_FUNCTION;
  if (!functionName) {
    return { start: () => Promise.reject(new Error('FEED_WORKER_FUNCTION is not configured')) };
  }
  const client = new LambdaClient({
    region: config.AWS_REGION,
    ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}),
  });
  return new LambdaFeedScheduler(client, functionName);
}

async function readTokenSecret(config: Config): Promise<string> {
  if (config.TOKEN_SECRET) return config.TOKEN_SECRET;
  const secret = await getSecret<string>(config.TOKEN_SECRET_ARN ?? '', { maxAge: 3600 });
  if (typeof secret !== 'string') throw new Error('The token secret is not a string');
  return secret;
}
