import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { awsIds } from './aws-ids';
import { inMemoryConnectionJournal, openConnectionJournal } from './connection-journal';
import { createConnectionRegistry } from './connection-registry';
import { startEmbeddedDynamo } from './dynamo-bootstrap';
import { type EnvVarOverrides, withEnvVarOverrides } from './env-var-overrides';
import { createFunctionEnvironment } from './function-environment';
import { createHttpApiServer } from './http-api-server';
import { sendJson } from './http-io';
import { createLambdaInvokeApi } from './lambda-invoke-api';
import { createLambdaRuntime, type WarmContainers } from './lambda-runtime';
import { closeServer, listen } from './listen';
import { loadStackModel } from './load-stack-model';
import { createManagementApi } from './management-api';
import type { QueueServices } from './queue-services';
import { LOCAL_IAM_CREDENTIALS } from './sigv4-credentials';
import type { FunctionModel } from './stack-model';
import { assertTemplateRunnable } from './template-checks';
import { createWebSocketEventBuilder } from './websocket-events';
import { createWebSocketGateway } from './websocket-gateway';

// The queues (the SQS emulator and the SDK's SQS client) and the SigV4 verifier are loaded only for a template
// with queues and for `iam`: the stack's own process then holds no AWS SDK at all (the functions load theirs in
// their own containers). `require`, not `import()`, so that the CommonJS build of the package resolves them too.
const loadQueueServices = (): typeof import('./queue-services').startQueueServices =>
  (require('./queue-services') as typeof import('./queue-services')).startQueueServices;
const loadSigV4Verifier = (): typeof import('./sigv4-verifier').createSigV4Verifier =>
  (require('./sigv4-verifier') as typeof import('./sigv4-verifier')).createSigV4Verifier;

/** How to run the local stack. Every port accepts 0 for "any free port" (what tests use). */
export interface LocalStackOptions {
  /** The SAM template, the single source of routes, functions and tables (default `<projectRoot>/template.yaml`). */
  templatePath?: string;
  /** Folder that `CodeUri` and `web/dist` are relative to (default: the current directory). */
  projectRoot?: string;
  /** WebSocket gateway, `@connections` and Lambda Invoke API (default 3001). */
  wsPort?: number;
  /** HTTP API (default 3002). */
  httpPort?: number;
  /** Embedded DynamoDB (default 3005). */
  dynamoPort?: number;
  /**
   * Where data and the journal of open connections survive restarts (default
   * `.switchboard/data`); null keeps all in memory.
   */
  dataDir?: string | null;
  /** No per-event console lines (and no POWERTOOLS_DEV pretty logs). */
  quiet?: boolean;
  /** Handler logs at DEBUG instead of WARN. */
  verbose?: boolean;
  /** Extra handler environment, applied over everything else. */
  env?: Record<string, string>;
  /** Template parameter values instead of their defaults. */
  parameters?: Record<string, string>;
  /**
   * Values for the variables the functions' `Environment` declares, shaped like a `sam local --env-vars` file
   * (`Parameters` for all, then by logical id); as in SAM CLI, a variable the template does not declare is not added.
   */
  envVars?: EnvVarOverrides;
  /** API Gateway's idle timeout (default 10 minutes): a connection without client frames closes with 1001. */
  idleTimeoutMs?: number;
  /** API Gateway's maximum connection duration (default 2 hours), then 1001. */
  maxConnectionMs?: number;
  /**
   * Invocations of one function that run at once (default 32); more queue, and a function's `Timeout` counts
   * from when its invocation leaves the queue, so that bursts of connects and disconnects never time out.
   */
  concurrencyPerFunction?: number;
  /** Delay added to each `@connections` call, for benchmarks that should feel the network (default 0). */
  connectionsLatencyMs?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Where console lines go (default `console.log`). */
  log?: (line: string) => void;
  /**
   * When function containers start: `LAZY` (default) at each function's first invocation, `EAGER` all at
   * stack start, with load errors reported then.
   */
  warmContainers?: WarmContainers;
  /**
   * Check SigV4 signatures, as API Gateway does, on the HTTP API's `AWS_IAM` routes, on `@connections`, and on
   * a `$connect` route with `AuthorizationType: AWS_IAM` (a presigned URL), against the local key pair
   * (`LOCAL_IAM_CREDENTIALS`, which the functions also get): unsigned or wrong → 403. Default off: nothing is
   * checked.
   */
  iam?: boolean;
}

/** A running local stack. */
export interface LocalStack {
  wsUrl: string;
  httpUrl: string;
  /** Endpoint for `@aws-sdk/client-apigatewaymanagementapi` (also accepted with `/{stage}` appended). */
  connectionsUrl: string;
  dynamoEndpoint: string;
  apiId: string;
  stage: string;
  /** The name a table of the template has locally: its `TableName`, else its logical id (what `!Ref` yields). */
  tableName(logicalId: string): string;
  /** Endpoint for `@aws-sdk/client-sqs`, or null when the template has no queue. */
  sqsEndpoint: string | null;
  /** The URL of a queue of the template (what `!Ref` yields). */
  queueUrl(logicalId: string): string;
  /** Closes every socket (so `$disconnect` runs), the servers, the function containers and dynalite. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
/** Enough to keep the event loop and dynalite busy, few enough that a burst's last invocation is not starved. */
export const DEFAULT_CONCURRENCY_PER_FUNCTION = 32;

/**
 * Starts dynalite, the queues, the WebSocket gateway and the HTTP API from a SAM template. A template it cannot
 * run fails here, before anything listens, with a `TemplateCheckError` that lists every problem.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectRoot = resolve(options.projectRoot ?? process.cwd());
  const templatePath = resolve(projectRoot, options.templatePath ?? 'template.yaml');
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => console.log(line));
  const logEvent = options.quiet ? null : log;
  const dataDir = options.dataDir === null ? null : resolve(projectRoot, options.dataDir ?? '.switchboard/data');
  const wsApiId = awsIds.apiId(`${templatePath}#websocket`);
  const httpApiId = awsIds.apiId(`${templatePath}#http`);
  const { model, resolver, resources, globals } = loadStackModel({
    templatePath,
    projectRoot,
    ...(options.parameters ? { parameterOverrides: options.parameters } : {}),
    refResource: (logicalId, type, protocolType) => {
      if (type === 'AWS::ApiGatewayV2::Api') return protocolType === 'HTTP' ? httpApiId : wsApiId;
      if (type === 'AWS::SQS::Queue' && queues) return queues.urlOf(logicalId);
      return logicalId;
    },
  });
  const tableName = (logicalId: string): string => {
    const table = model.tables.find((t) => t.logicalId === logicalId);
    if (!table) throw new Error(`The template has no table ${logicalId}`);
    return table.tableName;
  };

  let queues: QueueServices | null = null;
  // Here, where `!Ref` of a queue can resolve (to its logical id until the queues run).
  assertTemplateRunnable({ templatePath, projectRoot, resources, globals, model, resolver });
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamo = await startEmbeddedDynamo({
      port: options.dynamoPort ?? 3005,
      host,
      dataDir: dataDir && join(dataDir, 'dynamodb'),
      tables: model.tables,
      log: (line) => logEvent?.(line),
    });
    stoppers.push(dynamo.stop);
    queues = model.queues.length > 0 ? await loadQueueServices()({ model, region: REGION, logEvent, log }) : null;
    if (queues) stoppers.push(queues.stop);

    const gatewayServer = createServer();
    const wsPort = await listen(gatewayServer, options.wsPort ?? 3001, host);
    stoppers.push(() => closeServer(gatewayServer));
    const gatewayEndpoint = `http://localhost:${wsPort}`;

    const templateEnvironment = createFunctionEnvironment({
      resolver,
      region: REGION,
      dynamoEndpoint: dynamo.endpoint,
      gatewayEndpoint,
      // The queue URLs' own origin (`http://sqs.{region}.localhost:{port}`): the SQS client sends to a queue
      // URL's host, and warns on every call when it differs from its endpoint.
      sqsEndpoint: queues && model.queues[0] ? new URL(queues.urlOf(model.queues[0].logicalId)).origin : null,
      credentials: LOCAL_IAM_CREDENTIALS,
      quiet: options.quiet ?? false,
      verbose: options.verbose ?? false,
      overrides: { ...options.env },
    });
    const environmentFor = (fn: FunctionModel) => templateEnvironment(withEnvVarOverrides(fn, options.envVars));
    const runtime = createLambdaRuntime({
      functions: model.functions,
      environmentFor,
      region: REGION,
      accountId: ACCOUNT_ID,
      concurrencyPerFunction: options.concurrencyPerFunction ?? DEFAULT_CONCURRENCY_PER_FUNCTION,
      awsRedirect: { gatewayEndpoint, apiHosts: [`${wsApiId}.execute-api.${REGION}.amazonaws.com`] },
      log,
    });
    stoppers.push(() => runtime.close());
    if (queues)
      stoppers.push(
        queues.startEventSources(runtime, options.concurrencyPerFunction ?? DEFAULT_CONCURRENCY_PER_FUNCTION),
      );
    if (options.warmContainers === 'EAGER') await runtime.warmAll();

    const verifier = options.iam
      ? loadSigV4Verifier()({ credentials: LOCAL_IAM_CREDENTIALS, region: REGION, service: 'execute-api' })
      : null;
    if (verifier) {
      log(
        `IAM: SigV4 checked with the local key pair AWS_ACCESS_KEY_ID=${LOCAL_IAM_CREDENTIALS.accessKeyId} ` +
          `AWS_SECRET_ACCESS_KEY=${LOCAL_IAM_CREDENTIALS.secretAccessKey}`,
      );
    }

    const journal = dataDir
      ? openConnectionJournal(join(dataDir, 'open-connections.jsonl'))
      : inMemoryConnectionJournal;
    stoppers.push(async () => journal.close());
    const connections = createConnectionRegistry();
    const management = createManagementApi({
      connections,
      stage: model.stage,
      latencyMs: options.connectionsLatencyMs ?? 0,
      logEvent,
      verifier,
    });
    const invokeApi = createLambdaInvokeApi({ runtime, logEvent, log });
    gatewayServer.on('request', (request, response) => {
      if (management(request, response) || invokeApi.handler(request, response)) return;
      sendJson(response, 426, { message: 'Upgrade Required' });
    });
    const gateway = model.webSocketApi
      ? createWebSocketGateway({
          server: gatewayServer,
          api: model.webSocketApi,
          stage: model.stage,
          runtime,
          events: createWebSocketEventBuilder({
            apiId: wsApiId,
            stage: model.stage,
            domainName: `localhost:${wsPort}`,
          }),
          connectMethodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:${wsApiId}/${model.stage}/$connect`,
          connections,
          journal,
          idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
          maxConnectionMs: options.maxConnectionMs ?? 2 * 60 * 60_000,
          logEvent,
          log,
          iam: verifier && { verifier, accountId: ACCOUNT_ID },
        })
      : null;
    stoppers.push(async () => {
      await gateway?.closeAll();
      await invokeApi.drain(2000);
    });
    const leftOpen = journal.leftOpen();
    if (gateway && leftOpen.length > 0) {
      log(`ending ${leftOpen.length} connection(s) the previous run left open (running $disconnect)`);
      await gateway.endConnectionsLeftOpen(leftOpen);
    }

    let httpPort = 0;
    const httpServer = createHttpApiServer({
      routes: model.httpRoutes,
      runtime,
      logEvent,
      log,
      verifier,
      identity: () => ({ apiId: httpApiId, domainName: `localhost:${httpPort}`, accountId: ACCOUNT_ID }),
    });
    httpPort = await listen(httpServer, options.httpPort ?? 3002, host);
    stoppers.push(() => closeServer(httpServer));

    const wsUrl = `ws://localhost:${wsPort}`;
    const httpUrl = `http://localhost:${httpPort}`;
    return {
      wsUrl,
      httpUrl,
      connectionsUrl: gatewayEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      apiId: wsApiId,
      stage: model.stage,
      tableName,
      stop: stopAll,
      sqsEndpoint: queues?.endpoint ?? null,
      queueUrl: (logicalId) => {
        if (!queues) throw new Error('The template has no queue');
        return queues.urlOf(logicalId);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
