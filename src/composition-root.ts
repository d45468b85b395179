import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ApiGatewayNotifier } from './adapters/apigateway/api-gateway-notifier';
import { managementEndpoint, type RequestEndpoint } from './adapters/apigateway/management-endpoint';
import { BundledArticleSource } from './adapters/article/bundled-article-source';
import { HmacTokenSigner } from './adapters/crypto/hmac-token-signer';
import { DynamoDbConnectionRepository } from './adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbMessageLog } from './adapters/dynamodb/dynamodb-message-log';
import { DynamoDbSubscriptionRepository } from './adapters/dynamodb/dynamodb-subscription-repository';
import { DynamoDbUserRepository } from './adapters/dynamodb/dynamodb-user-repository';
import type { TableContext } from './adapters/dynamodb/table';
import { randomIds } from './adapters/system/random-ids';
import { systemClock } from './adapters/system/system-clock';
import { loadConfig, type Config } from './config';
import type { Dependencies } from './domain/dependencies';
import type { TokenSigner } from './domain/ports/token-signer';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Builds the dependencies of a request: everything but the notifier is shared by the container. */
export type DependencyFactory = (request?: RequestEndpoint) => Promise<Dependencies>;

/**
 * The one place that reads configuration and builds clients. Called at module scope by each handler,
 * so clients and the token secret are made once per container and reused by every invocation.
 */
export function createDependencyFactory(config: Config = loadConfig()): DependencyFactory {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const table: TableContext = { client, tableName: config.TABLE_NAME, clock: systemClock };
  const subscriptions = new DynamoDbSubscriptionRepository(table, { pageSize: config.SUBSCRIBER_PAGE_SIZE });
  const shared = {
    connections: new DynamoDbConnectionRepository(table),
    subscriptions,
    messages: new DynamoDbMessageLog(table, { messageTtlSeconds: config.MESSAGE_TTL_HOURS * 3600 }),
    users: new DynamoDbUserRepository(table, { sessionTtlSeconds: config.SESSION_TTL_DAYS * 86_400 }),
    clock: systemClock,
    ids: randomIds,
    article: new BundledArticleSource(),
    settings: { fanOutConcurrency: config.FAN_OUT_CONCURRENCY },
  };
  const notifiers = new Map<string, ApiGatewayNotifier>();
  let tokens: Promise<TokenSigner> | undefined;

  return async (request) => {
    tokens ??= loadTokenSigner(config).catch((error: unknown) => {
      tokens = undefined;
      throw error;
    });
    const endpoint = managementEndpoint(request, config.MANAGEMENT_ENDPOINT);
    let notifier = notifiers.get(endpoint);
    if (!notifier) {
      notifier = new ApiGatewayNotifier(new ApiGatewayManagementApiClient({ region: config.AWS_REGION, endpoint }));
      notifiers.set(endpoint, notifier);
    }
    return { ...shared, tokens: await tokens, notifier };
  };
}

async function loadTokenSigner(config: Config): Promise<TokenSigner> {
  const secret = config.TOKEN_SECRET ?? (await getSecret<string>(config.TOKEN_SECRET_ARN ?? '', { maxAge: 3600 }));
  if (typeof secret !== 'string') throw new Error('The token secret is not a string');
  return new HmacTokenSigner({ secret, clock: systemClock, maxAgeMs: config.SESSION_TTL_DAYS * DAY_MS });
}
