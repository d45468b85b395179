import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { BundleFunction, createRuntimeModules } from '../../scripts/verify-deploy/bundle-process';
import {
  bundledPackages,
  dynamicRuntimeImports,
  esbuildArguments,
  findEsbuild,
  ignoredBuildProperties,
  readSamFunctions,
  snakeCase,
} from '../../scripts/verify-deploy/sam-build';
import {
  eventFunctions,
  functionFor,
  functionsWithoutEvents,
  invokeInMode,
  loadModeModels,
} from '../../scripts/verify-deploy/sample-events';
import { VerifyDeployError } from '../../scripts/verify-deploy/verify-deploy-error';

/**
 * The parts of `npm run verify:deploy` that decide what it reports, on small fixtures (tests/deploy/fixtures):
 * the esbuild command it reproduces, where it finds esbuild, and the three bad inputs it must name clearly.
 * The whole run (install, bundle, every event on every bundle) is `.ci/run`'s `npm run verify:deploy`.
 */
const PROJECT_ROOT = resolve(__dirname, '../..');
const FIXTURES = join(__dirname, 'fixtures');

let work: string;
let runtimeModules: string;
const started: BundleFunction[] = [];

beforeAll(() => {
  // Outside the project, so that Node cannot walk up into its node_modules (as in the real check).
  work = mkdtempSync(join(tmpdir(), 'verify-deploy-test-'));
  runtimeModules = createRuntimeModules(PROJECT_ROOT, join(work, 'runtime'));
});
afterAll(async () => {
  await Promise.all(started.map((bundle) => bundle.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** A fixture bundle copied out of the project, then loaded as verify:deploy loads a built function. */
async function load(fixture: string, logicalId = 'FixtureFunction'): Promise<BundleFunction> {
  const dir = join(work, fixture);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  const bundle = await BundleFunction.start({
    logicalId,
    file: join(dir, 'index.js'),
    exportName: 'handler',
    runtimeModules,
    environment: { NODE_OPTIONS: '--enable-source-maps' },
    timeoutSeconds: 5,
    memoryMb: 128,
  });
  started.push(bundle);
  return bundle;
}

async function failure(promise: Promise<unknown>): Promise<VerifyDeployError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VerifyDeployError);
  return error as VerifyDeployError;
}

describe('verify:deploy reports bad input with the function, the file and the step', () => {
  it('a missing handler export', async () => {
    const error = await failure(load('missing-export', 'ConnectFunction'));

    expect(error).toMatchObject({ subject: 'ConnectFunction', step: 'load' });
    expect(error.message).toBe('ConnectFunction: load: index.js exports no function handler; it exports: other');
  });

  it('a bundle that requires a package the runtime lacks, even one installed in the project', async () => {
    const error = await failure(load('lacking-package', 'ChatFunction'));

    expect(error.message).toBe(
      'ChatFunction: load: index.js requires zod, which the nodejs22.x runtime does not provide (only @aws-sdk/* is there): bundle it, do not mark it External',
    );
  });

  it('an event file whose route has no function', () => {
    const { model } = loadStackModel({ templatePath: join(FIXTURES, 'routes', 'template.yaml') });
    const eventsDir = join(FIXTURES, 'routes', 'events');

    expect(functionFor(model, 'read.json', { routeKey: 'GET /things', requestContext: {} })).toBe('ReadFunction');
    expect(() =>
      eventFunctions(loadModeModels(join(FIXTURES, 'routes', 'template.yaml'), FIXTURES), eventsDir),
    ).toThrow(
      new VerifyDeployError(
        'nowhere.json',
        'route',
        'route POST /nowhere has no function in the template, in any AuthMode (anonymous, jwt, iam)',
      ),
    );
  });

  it('a function that exists only in one AuthMode: its event maps in that mode, and a missing one is named', async () => {
    const dir = join(FIXTURES, 'auth-modes');
    const models = loadModeModels(join(dir, 'template.yaml'), dir);
    const routed = eventFunctions(models, join(dir, 'events'));
    const ran: string[] = [];
    const invoke = invokeInMode(routed, 'anonymous', async (functionId) => ran.push(functionId));

    expect(models.get('anonymous')?.functions.has('ExpiryWorkerFunction')).toBe(false);
    expect(Object.fromEntries(routed)).toEqual({
      'expiry-worker.json': { functionId: 'ExpiryWorkerFunction', mode: 'jwt' },
      'read.json': { functionId: 'ReadFunction', mode: 'anonymous' },
    });
    expect(functionsWithoutEvents(models, routed)).toEqual([]);
    expect(functionsWithoutEvents(models, eventFunctions(models, join(dir, 'events-without-worker')))).toEqual([
      'ExpiryWorkerFunction',
    ]);
    await invoke('ReadFunction', {}, 'read.json');
    await expect(invoke('ExpiryWorkerFunction', {}, 'expiry-worker.json')).rejects.toThrow(
      new VerifyDeployError(
        'expiry-worker.json',
        'route',
        'goes to ExpiryWorkerFunction with AuthMode=jwt, not to ExpiryWorkerFunction with AuthMode=anonymous',
      ),
    );
    expect(ran).toEqual(['ReadFunction']);
  });

  it('a bundle built below a node_modules folder, where Node would find what Lambda lacks', async () => {
    const error = await failure(
      BundleFunction.start({
        logicalId: 'FixtureFunction',
        file: join(FIXTURES, 'sdk-only', 'index.js'),
        exportName: 'handler',
        runtimeModules,
        environment: {},
        timeoutSeconds: 5,
        memoryMb: 128,
      }),
    );

    expect(error.message).toContain(`FixtureFunction: load: index.js is below ${join(PROJECT_ROOT, 'node_modules')}`);
  });
});

describe('a bundle in its own process', () => {
  it("sees the runtime's @aws-sdk packages, its environment, and answers each invocation", async () => {
    const bundle = await load('sdk-only');

    expect(await bundle.invoke({ value: 1 })).toEqual({
      client: 'function',
      sep: '/',
      echo: 1,
      nodeOptions: '--enable-source-maps',
    });
    expect(await bundle.invoke({ value: 2 })).toMatchObject({ echo: 2 });
  });
});

describe('the build it reproduces', () => {
  const functions = readSamFunctions(join(PROJECT_ROOT, 'template.yaml'));

  it("passes exactly the template's BuildProperties to esbuild, as aws-lambda-builders does", () => {
    const connect = functions.find((fn) => fn.logicalId === 'ConnectFunction');
    if (!connect) throw new Error('no ConnectFunction');

    expect(snakeCase('EntryPoints')).toBe('entry_points');
    expect(esbuildArguments(connect, PROJECT_ROOT, '/out')).toEqual([
      'src/handlers/connect.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--format=cjs',
      '--minify',
      '--sourcemap',
      '--target=es2022',
      '--external:@aws-sdk/*',
    ]);
    expect(functions.map((fn) => ignoredBuildProperties(fn))).toEqual(functions.map(() => []));
    expect(ignoredBuildProperties({ ...connect, buildProperties: { Minify: true, KeepNames: true } })).toEqual([
      'KeepNames',
    ]);
  });

  it("applies the builder's defaults when BuildProperties leave them out", () => {
    const bare = {
      logicalId: 'Bare',
      handler: 'src/handlers/connect.handler',
      codeUri: './',
      runtime: 'nodejs22.x',
      buildMethod: 'esbuild',
      buildProperties: {},
    };

    expect(esbuildArguments(bare, PROJECT_ROOT, '/out')).toEqual([
      'src/handlers/connect.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--target=es2020',
      '--format=cjs',
      '--minify',
    ]);
    expect(() => esbuildArguments({ ...bare, handler: 'src/nowhere.handler' }, PROJECT_ROOT, '/out')).toThrow(
      `Bare: esbuild arguments: entry point ${join(PROJECT_ROOT, 'src/nowhere')} does not exist`,
    );
  });

  it("finds esbuild in the scratch folder's node_modules/.bin, else on PATH, else nowhere", async () => {
    const scratch = join(work, 'scratch');
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, 'package.json'), '{"name":"scratch","version":"1.0.0"}');
    const onPath = join(work, 'path-bin');
    mkdirSync(onPath, { recursive: true });

    expect(await findEsbuild(scratch, '')).toBeUndefined();

    writeFileSync(join(onPath, 'esbuild'), '#!/bin/sh\n');
    chmodSync(join(onPath, 'esbuild'), 0o755);
    expect(await findEsbuild(scratch, onPath)).toEqual({ path: join(onPath, 'esbuild'), fromScratchFolder: false });

    mkdirSync(join(scratch, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(scratch, 'node_modules', '.bin', 'esbuild'), '#!/bin/sh\n');
    chmodSync(join(scratch, 'node_modules', '.bin', 'esbuild'), 0o755);
    expect(await findEsbuild(scratch, onPath)).toEqual({
      path: join(scratch, 'node_modules', '.bin', 'esbuild'),
      fromScratchFolder: true,
    });
  });

  it('reads the packages a bundle contains from its source map', () => {
    const bundle = join(work, 'mapped.js');
    writeFileSync(bundle, '');
    writeFileSync(
      `${bundle}.map`,
      JSON.stringify({
        sources: [
          '../../src/handlers/connect.ts',
          '../../node_modules/@middy/core/index.js',
          '../../node_modules/a/node_modules/esbuild/lib/main.js',
        ],
      }),
    );

    expect(bundledPackages(bundle)).toEqual(['@middy/core', 'esbuild']);
  });

  it('finds an import() of a runtime-provided package that esbuild left in a bundle, and passes a static one', async () => {
    const { buildSync } = await import('esbuild');
    const bundle = (name: string, source: string): string => {
      const entry = join(work, `${name}.ts`);
      writeFileSync(entry, source);
      const outfile = join(work, `${name}.js`);
      buildSync({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'es2022',
        external: ['@aws-sdk/*'],
        logLevel: 'silent',
      });
      return outfile;
    };

    const lazy = bundle('lazy', "export const load = () => import('@aws-sdk/client-sqs');");
    const eager = bundle(
      'eager',
      "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const make = () => new SQSClient({});",
    );

    expect(dynamicRuntimeImports(lazy)).toEqual(['@aws-sdk/client-sqs']);
    expect(dynamicRuntimeImports(eager)).toEqual([]);
  });
});
