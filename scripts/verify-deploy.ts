/**
 * `npm run verify:deploy`: builds every function as `sam build` does (scripts/verify-deploy/sam-build.ts),
 * loads each bundle as the `nodejs22.x` runtime does, in a Node process of its own that sees only the
 * runtime's `@aws-sdk/*` packages (scripts/verify-deploy/bundle-process.ts), and runs every sample event on
 * it against a local stack, with the checks tests/handlers/events.test.ts runs on the sources
 * (scripts/verify-deploy/sample-events.ts). Then translates the template as `sam deploy` would, if
 * aws-sam-translator is installed. See docs/deploy.md. Exits 1 on the first failure, naming the function
 * (or file) and the step.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFunctionEnvironment } from '../packages/local/src/function-environment';
import { createLambdaInvokeApi } from '../packages/local/src/lambda-invoke-api';
import type { LambdaRuntime } from '../packages/local/src/lambda-runtime';
import { closeServer, listen } from '../packages/local/src/listen';
import { loadStackModel } from '../packages/local/src/load-stack-model';
import { LOCAL_IAM_CREDENTIALS } from '../packages/local/src/sigv4-credentials';
import type { FunctionModel } from '../packages/local/src/stack-model';
import { BundleFunction, createRuntimeModules, RUNTIME } from './verify-deploy/bundle-process';
import {
  builderOptions,
  bundledPackages,
  copySource,
  dynamicRuntimeImports,
  esbuildArguments,
  findEsbuild,
  handlerTarget,
  ignoredBuildProperties,
  installDependencies,
  readSamFunctions,
  runEsbuild,
  type SamFunction,
} from './verify-deploy/sam-build';
import { translateTemplate } from './verify-deploy/sam-translate';
import {
  AUTH_MODES,
  type AuthMode,
  eventFunctions,
  eventsWithoutChecks,
  functionsWithoutEvents,
  loadModeModels,
  type RoutedEvent,
  runSampleEventCheck,
  SAMPLE_EVENT_CHECKS,
  type SampleEventStack,
  startSampleEventStack,
} from './verify-deploy/sample-events';
import { VerifyDeployError } from './verify-deploy/verify-deploy-error';

const PROJECT_ROOT = resolve(__dirname, '..');
const TEMPLATE = join(PROJECT_ROOT, 'template.yaml');
const EVENTS_DIR = join(PROJECT_ROOT, 'events');
/** Five steps, then loading and running once per mode with events (set once the events are routed). */
let steps = 5;

const started = Date.now();
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line: string): void => console.log(line);
let stepNumber = 0;
/** Runs one step with a progress line before and its time after. */
async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  stepNumber += 1;
  say(`\n[${stepNumber}/${steps}] ${title}`);
  const at = Date.now();
  const result = await work();
  say(`      done in ${seconds(at)}`);
  return result;
}

const kb = (file: string): string => `${Math.round(statSync(file).size / 1024)} kB`;

interface Built {
  fn: SamFunction;
  file: string;
  exportName: string;
}

async function main(): Promise<void> {
  // The stack's SDK clients run on this machine's Node (20); the bundles themselves stand in for Lambda's 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false } }, strict: true });
  const work = mkdtempSync(join(tmpdir(), 'switchboard-verify-deploy-'));
  const scratch = join(work, 'scratch');
  const artifacts = join(work, 'build');
  say(
    `verify:deploy: what sam build makes from ${relative(process.cwd(), TEMPLATE) || TEMPLATE}, run as Lambda runs it`,
  );
  say(`work folder: ${work}${values.keep ? ' (kept)' : ''}`);

  const functions = readSamFunctions(TEMPLATE);
  // Every mode's stack: some functions exist only with AuthMode=jwt, and each has its events all the same.
  const models = loadModeModels(TEMPLATE, PROJECT_ROOT);
  const routed = eventFunctions(models, EVENTS_DIR);
  const withoutEvents = functionsWithoutEvents(models, routed);
  if (withoutEvents.length)
    throw new VerifyDeployError(withoutEvents.join(', '), 'events', 'no events/*.json reaches this function');
  const unchecked = eventsWithoutChecks(routed);
  if (unchecked.length)
    throw new VerifyDeployError(
      unchecked.join(', '),
      'events',
      'no check in scripts/verify-deploy/sample-events.ts runs it',
    );
  // Each on a stack of its own: the sign-in events need AuthMode=jwt, the others run with the default.
  const runModes = AUTH_MODES.filter(
    (mode) =>
      [...routed.values()].some((event) => event.mode === mode) ||
      SAMPLE_EVENT_CHECKS.some((check) => check.mode === mode),
  );
  steps += 2 * runModes.length;
  for (const fn of functions) {
    if (fn.buildMethod !== 'esbuild')
      throw new VerifyDeployError(fn.logicalId, 'template', `BuildMethod is ${String(fn.buildMethod)}, not esbuild`);
    if (fn.runtime !== RUNTIME)
      throw new VerifyDeployError(
        fn.logicalId,
        'template',
        `Runtime is ${fn.runtime}; this check stands in for ${RUNTIME}`,
      );
    const ignored = ignoredBuildProperties(fn);
    if (ignored.length)
      throw new VerifyDeployError(
        fn.logicalId,
        'template',
        `sam build would ignore BuildProperties ${ignored.join(', ')}`,
      );
    if (![...routed.values()].some((event) => event.functionId === fn.logicalId))
      throw new VerifyDeployError(fn.logicalId, 'events', 'no events/*.json reaches this function');
  }
  const codeUris = new Set(functions.map((fn) => fn.codeUri));
  const installs = new Set(functions.map((fn) => builderOptions(fn).use_npm_ci === true));
  if (codeUris.size !== 1 || installs.size !== 1) {
    throw new VerifyDeployError(
      'template.yaml',
      'template',
      'functions with different CodeUri or UseNpmCi: this check builds one scratch folder for all',
    );
  }
  const [first] = functions;
  if (!first) throw new VerifyDeployError('template.yaml', 'template', 'no AWS::Serverless::Function');

  try {
    await step(
      `copy ${first.codeUri} to the scratch folder, without node_modules, .git and .aws-sam (as the builder does)`,
      async () => {
        copySource(resolve(PROJECT_ROOT, first.codeUri), scratch);
      },
    );

    await step(
      'install dependencies in the scratch folder, without dev dependencies (as the builder does)',
      async () => {
        try {
          say(`      npm ${(await installDependencies(scratch, builderOptions(first))).join(' ')}`);
        } catch (error) {
          throw new VerifyDeployError(
            'package.json',
            'install',
            String((error as { stderr?: string }).stderr ?? error).trim(),
          );
        }
      },
    );

    const esbuild = await step(
      'find esbuild: $(npm root)/.bin of the scratch folder, then PATH (as the builder does)',
      async () => {
        const found = await findEsbuild(scratch);
        if (!found)
          throw new VerifyDeployError(
            'package.json',
            'find esbuild',
            'Cannot find esbuild: sam build fails the same way',
          );
        if (!found.fromScratchFolder) {
          throw new VerifyDeployError(
            'package.json',
            'find esbuild',
            `only ${found.path} on PATH: a fresh machine has none; esbuild must be a production dependency`,
          );
        }
        say(`      ${relative(work, found.path)}, installed by the production install`);
        return found.path;
      },
    );

    const built = await step(
      `esbuild each function with its BuildProperties (Globals applied), into its own folder`,
      async () => {
        mkdirSync(artifacts, { recursive: true });
        const result: Built[] = [];
        for (const fn of functions) {
          const out = join(artifacts, fn.logicalId);
          const args = esbuildArguments(fn, scratch, out);
          await runEsbuild(fn, esbuild, args, scratch);
          const { file, exportName } = handlerTarget(fn, out);
          const packages = bundledPackages(file);
          if (packages.includes('esbuild'))
            throw new VerifyDeployError(fn.logicalId, 'esbuild', `${basename(file)} bundles esbuild itself`);
          const dynamic = dynamicRuntimeImports(file);
          if (dynamic.length > 0)
            throw new VerifyDeployError(
              fn.logicalId,
              'bundle',
              `${basename(file)} imports ${dynamic.join(', ')} with import(), which the Lambda runtime cannot resolve: import it statically in the module that is loaded lazily`,
            );
          if (![...models.values()].some((model) => model.functions.has(fn.logicalId)))
            throw new VerifyDeployError(fn.logicalId, 'template', 'not in the local stack model in any AuthMode');
          say(`      ${fn.logicalId.padEnd(20)} esbuild ${args.join(' ').replace(out, `<build>/${fn.logicalId}`)}`);
          say(`      ${''.padEnd(20)} -> ${basename(file)} ${kb(file)}, ${packages.length} packages bundled`);
          result.push({ fn, file, exportName });
        }
        return result;
      },
    );

    await step(
      'translate the template with aws-sam-translator, CodeUris replaced by S3 URIs (as sam package does)',
      async () => {
        const result = await translateTemplate(TEMPLATE);
        if (result.kind === 'unavailable') say(`      skipped: ${result.reason}`);
        else if (result.kind === 'invalid')
          throw new VerifyDeployError('template.yaml', 'aws-sam-translator', result.errors.join('\n'));
        else say(`      ${result.functions} functions, ${result.resources} CloudFormation resources`);
      },
    );

    const secret = randomBytes(32).toString('hex');
    const overrides = { FEED_INTERVAL_MS: '1', FEED_CHUNK_SIZE: '250', TOKEN_SECRET: secret };
    const runtimeModules = createRuntimeModules(scratch, join(work, 'runtime'));
    for (const mode of runModes) {
      await runMode(mode, { built, routed, overrides, runtimeModules });
    }
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
  say(
    `\nverify:deploy: all ${functions.length} functions build, load and answer their events, ${routed.size} event files in ${runModes.length} AuthModes (${seconds(started)})`,
  );
}

interface ModeRun {
  built: Built[];
  routed: Map<string, RoutedEvent>;
  overrides: Record<string, string>;
  runtimeModules: string;
}

/**
 * Loads the bundles of the functions whose events run in `mode` and runs that mode's checks on them, against
 * a local stack started with the mode's parameters (with AuthMode=jwt, a local OIDC issuer it trusts).
 */
async function runMode(mode: AuthMode, { built, routed, overrides, runtimeModules }: ModeRun): Promise<void> {
  const ids = new Set([...routed.values()].filter((event) => event.mode === mode).map((event) => event.functionId));
  const inMode = built.filter((b) => ids.has(b.fn.logicalId));
  let sample: SampleEventStack | undefined;
  let invokeServer: Server | undefined;
  const bundles = new Map<string, BundleFunction>();
  try {
    sample = await startSampleEventStack(mode, overrides);
    const { e2e, issuer } = sample;
    const liveStack = e2e.stack;
    const liveModel = loadStackModel({
      templatePath: TEMPLATE,
      projectRoot: PROJECT_ROOT,
      parameterOverrides: sample.parameters,
      // The bundles send to the local stack's queues (presence changes, fan-out jobs), as functions do in AWS.
      refResource: (logicalId, type) => {
        if (type === 'AWS::ApiGatewayV2::Api') return liveStack.apiId;
        if (type === 'AWS::SQS::Queue' && liveStack.sqsEndpoint) return liveStack.queueUrl(logicalId);
        return logicalId;
      },
    });
    const modelOf = (id: string): FunctionModel => {
      const model = liveModel.model.functions.get(id);
      if (!model) throw new VerifyDeployError(id, 'template', `not in the local stack model with AuthMode=${mode}`);
      return model;
    };

    // The bundles' Lambda Invoke API (the feed's hand-off to its worker), served by the bundles themselves.
    invokeServer = createServer();
    const find = (id: string): Built | undefined =>
      inMode.find((b) => b.fn.logicalId === id || modelOf(b.fn.logicalId).functionName === id);
    const bundleRuntime: LambdaRuntime = {
      has: (id) => find(id) !== undefined,
      invoke: async (id, event) => {
        const target = find(id);
        const bundle = target && bundles.get(target.fn.logicalId);
        if (!bundle) throw new Error(`No function ${id}`);
        return bundle.invoke(event);
      },
      close: () => undefined,
    };
    const handoffFailures: string[] = [];
    const invokeApi = createLambdaInvokeApi({
      runtime: bundleRuntime,
      logEvent: null,
      log: (line) => handoffFailures.push(line),
    });
    invokeServer.on('request', (request, response) => {
      if (!invokeApi.handler(request, response)) response.writeHead(404).end();
    });
    const invokePort = await listen(invokeServer, 0, '127.0.0.1');

    const environmentFor = createFunctionEnvironment({
      resolver: liveModel.resolver,
      region: 'us-east-1',
      dynamoEndpoint: liveStack.dynamoEndpoint,
      gatewayEndpoint: liveStack.connectionsUrl,
      sqsEndpoint: liveStack.sqsEndpoint,
      credentials: LOCAL_IAM_CREDENTIALS,
      quiet: true,
      verbose: false,
      overrides: {
        // These processes have no redirect of the template's execute-api URL (nor `*.localhost` names for
        // the queue URLs' host): name the gateway and the SQS endpoint themselves.
        MANAGEMENT_ENDPOINT: liveStack.connectionsUrl,
        ...(liveStack.sqsEndpoint ? { SQS_ENDPOINT: liveStack.sqsEndpoint } : {}),
        ...overrides,
      },
    });

    await step(
      `AuthMode=${mode}: load each bundle whose events run in this mode in a fresh Node process that sees only the ${RUNTIME} runtime's @aws-sdk/* packages`,
      async () => {
        for (const { fn, file, exportName } of inMode) {
          const at = Date.now();
          const model = modelOf(fn.logicalId);
          const nodeOptions = liveModel.resolver.resolveString(model.environment.NODE_OPTIONS);
          const bundle = await BundleFunction.start({
            logicalId: fn.logicalId,
            file,
            exportName,
            runtimeModules,
            environment: {
              ...environmentFor(model),
              LAMBDA_ENDPOINT: `http://127.0.0.1:${invokePort}`,
              ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
            },
            timeoutSeconds: model.timeoutSeconds,
            memoryMb: model.memoryMb,
          });
          bundles.set(fn.logicalId, bundle);
          say(
            `      ${fn.logicalId.padEnd(26)} ${fn.handler} resolves (process started and bundle loaded in ${seconds(at)})`,
          );
        }
      },
    );

    await step(
      `AuthMode=${mode}: run its events/*.json on the bundles against a local stack (in memory, free ports)`,
      async () => {
        let last = '';
        const invokeBundle = async (functionId: string, event: unknown, eventFile: string): Promise<unknown> => {
          last = `${functionId} ran events/${eventFile}`;
          const bundle = bundles.get(functionId);
          if (!bundle)
            throw new VerifyDeployError(functionId, `invoke events/${eventFile}`, 'no bundle for this function');
          try {
            return await bundle.invoke(event);
          } catch (error) {
            if (error instanceof VerifyDeployError) throw error;
            throw new VerifyDeployError(
              functionId,
              `invoke events/${eventFile}`,
              error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            );
          }
        };
        for (const check of SAMPLE_EVENT_CHECKS.filter((candidate) => candidate.mode === mode)) {
          const at = Date.now();
          try {
            const context = { model: liveModel.model, eventsDir: EVENTS_DIR, invoke: invokeBundle, e2e, issuer };
            await runSampleEventCheck(check, routed, context);
          } catch (error) {
            if (error instanceof VerifyDeployError) throw error;
            const [subject, ran] = last ? last.split(' ran ') : ['events', ''];
            throw new VerifyDeployError(
              subject ?? 'events',
              `check "${check.title}"${ran ? ` (last: ${ran})` : ''}`,
              error instanceof Error ? error.message : String(error),
            );
          }
          if (handoffFailures.length)
            throw new VerifyDeployError(
              'FeedWorkerFunction',
              'invoke (from the feed hand-off)',
              handoffFailures.join('\n'),
            );
          say(`      ok  ${check.title} (${seconds(at)})`);
        }
        const files = [...routed.values()].filter((event) => event.mode === mode).length;
        say(`      ${files} event files on ${inMode.length} functions`);
      },
    );
  } finally {
    await Promise.all([...bundles.values()].map((bundle) => bundle.stop()));
    if (invokeServer) await closeServer(invokeServer);
    await sample?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof VerifyDeployError) console.error(`\nverify:deploy FAILED: ${error.message}`);
    else console.error('\nverify:deploy FAILED:', error);
    process.exit(1);
  },
);
