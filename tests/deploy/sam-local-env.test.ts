import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { CONTAINER_HOST, portOf, samLocalEnvironment, samLocalEnvVars } from '../../scripts/sam-local-env';
import { BundleFunction, createRuntimeModules } from '../../scripts/verify-deploy/bundle-process';
import { loadConfig } from '../../src/config';
import { type E2eStack, startE2eStack } from '../e2e/support/e2e-stack';

/**
 * The `--env-vars` file `npm start` writes for `sam local invoke`: complete and correct for every function
 * of the template, given that SAM CLI applies only the variables a function declares.
 */
const PROJECT_ROOT = resolve(__dirname, '../..');
const { model, resolver } = loadStackModel({
  templatePath: join(PROJECT_ROOT, 'template.yaml'),
  projectRoot: PROJECT_ROOT,
});
const functions = [...model.functions.values()];

const file = samLocalEnvVars({
  wsPort: 3001,
  dynamoPort: 3005,
  tokenSecret: 'a'.repeat(64),
  tableName: 'SwitchboardTable',
  feedWorkerFunction: 'FeedWorkerFunction',
});

/** A function's variables as the template declares them, resolved (what AWS would set). */
const declared = (environment: Record<string, unknown>): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.keys(environment).map((name) => [name, resolver.resolveString(environment[name] as never)]),
  );

describe('the sam local invoke env-vars file', () => {
  it.each(functions.map((fn) => [fn.logicalId, fn]))(
    'sets nothing %s does not declare (SAM CLI would drop it silently)',
    (_id, fn) => {
      const mine = fn.logicalId === 'FeedFunction' ? { ...file.Parameters, ...file.FeedFunction } : file.Parameters;
      const undeclared = Object.keys(mine).filter((name) => !(name in fn.environment));

      expect(undeclared).toEqual([]);
    },
  );

  it.each(functions.map((fn) => [fn.logicalId, fn]))(
    'gives %s a configuration that parses and points at the local stack from the container',
    (_id, fn) => {
      const config = loadConfig(samLocalEnvironment(fn.logicalId, declared(fn.environment), file));

      expect(config).toMatchObject({
        TABLE_NAME: 'SwitchboardTable',
        DYNAMODB_ENDPOINT: `http://${CONTAINER_HOST}:3005`,
        MANAGEMENT_ENDPOINT: `http://${CONTAINER_HOST}:3001`,
        LAMBDA_ENDPOINT: `http://${CONTAINER_HOST}:3001`,
        TOKEN_SECRET: 'a'.repeat(64),
      });
    },
  );

  it('tells FeedFunction the name the local Lambda Invoke API knows the feed worker by', () => {
    const fn = model.functions.get('FeedFunction');
    if (!fn) throw new Error('no FeedFunction');

    expect(loadConfig(samLocalEnvironment(fn.logicalId, declared(fn.environment), file)).FEED_WORKER_FUNCTION).toBe(
      'FeedWorkerFunction',
    );
  });
});

describe('the variables the template declares for it', () => {
  it.each(functions.map((fn) => [fn.logicalId, fn]))(
    'leave %s on AWS endpoints and the Secrets Manager secret when deployed',
    (_id, fn) => {
      const config = loadConfig(declared(fn.environment));

      expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
      expect(config.LAMBDA_ENDPOINT).toBeUndefined();
      expect(config.TOKEN_SECRET).toBeUndefined();
      expect(config.TOKEN_SECRET_ARN).toBe('TokenSecret');
    },
  );
});

describe('a function given only what SAM CLI would give it from the file', () => {
  let e2e: E2eStack;
  let work: string;
  let session: BundleFunction | undefined;
  const secret = 'b'.repeat(64);

  beforeAll(async () => {
    e2e = await startE2eStack({ TOKEN_SECRET: secret });
    work = mkdtempSync(join(tmpdir(), 'sam-local-env-test-'));
  });
  afterAll(async () => {
    await session?.stop();
    await e2e.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers events/ping.json on a live socket of the running stack (the host, not a container, here)', async () => {
    const fn = model.functions.get('SessionFunction');
    if (!fn) throw new Error('no SessionFunction');
    await build({
      entryPoints: [fn.entryFile],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      external: ['@aws-sdk/*'],
      outdir: join(work, 'SessionFunction'),
      logLevel: 'silent',
    });
    const local = samLocalEnvVars({
      wsPort: portOf(e2e.stack.connectionsUrl),
      dynamoPort: portOf(e2e.stack.dynamoEndpoint),
      tokenSecret: secret,
      tableName: e2e.stack.tableName('SwitchboardTable'),
      feedWorkerFunction: 'FeedWorkerFunction',
      host: '127.0.0.1',
    });
    session = await BundleFunction.start({
      logicalId: 'SessionFunction',
      file: join(work, 'SessionFunction', 'session.js'),
      exportName: 'handler',
      runtimeModules: createRuntimeModules(PROJECT_ROOT, join(work, 'runtime')),
      environment: samLocalEnvironment('SessionFunction', declared(fn.environment), local),
      timeoutSeconds: 10,
      memoryMb: 512,
    });
    const client = await e2e.connect();
    const connectionId = String((await client.session()).connectionId);
    const event = JSON.parse(readFileSync(join(PROJECT_ROOT, 'events', 'ping.json'), 'utf8')) as {
      requestContext: { connectionId: string };
    };
    event.requestContext.connectionId = connectionId;

    expect(await session.invoke(event)).toMatchObject({ statusCode: 200 });
    expect(await client.next((frame) => frame.type === 'pong')).toMatchObject({ type: 'pong' });
  });
});
