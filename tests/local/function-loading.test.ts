import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../packages/local/src/stack';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';
import { invokeFunction } from './support/invoke-function';

/**
 * A copy of the fixture app outside this repository, so that nothing resolves from the repository's own
 * node_modules: the SDK reaches the functions only as the runtime's fallback, as in Lambda.
 */
const RUNTIME_FIXTURES = mkdtempSync(join(tmpdir(), 'switchboard-runtime-fixtures-'));

let stack: LocalStack & { lines: string[] };

beforeAll(async () => {
  cpSync(join(FIXTURES, 'runtime'), RUNTIME_FIXTURES, { recursive: true });
  stack = await startFixtureStack({
    templatePath: join(RUNTIME_FIXTURES, 'template.yaml'),
    projectRoot: RUNTIME_FIXTURES,
  });
});

afterAll(async () => {
  await stack.stop();
  rmSync(RUNTIME_FIXTURES, { recursive: true, force: true });
});

describe('functions loaded as Lambda loads them, from CodeUri and Handler', () => {
  it('requires a CommonJS .js handler with its own node_modules and the SDK the runtime provides', async () => {
    const { functionError, body } = await invokeFunction(stack, 'CommonJsFunction', { n: 1 });

    expect(functionError).toBeNull();
    expect(body).toMatchObject({
      kind: 'cjs',
      shout: 'HELLO!',
      sdk: 'function',
      taskRoot: join(RUNTIME_FIXTURES, 'cjs'),
      event: { n: 1 },
    });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a function warm between invocations', async () => {
    const first = await invokeFunction(stack, 'CommonJsFunction');
    const second = await invokeFunction(stack, 'CommonJsFunction');

    expect(Number(second.body.invocations)).toBe(Number(first.body.invocations) + 1);
  });

  it('resolves a nested export and a callback handler', async () => {
    const { body } = await invokeFunction(stack, 'NestedExportFunction');

    expect(body).toEqual({ kind: 'nested callback' });
  });

  it('imports a .js handler as ESM under "type": "module", where the SDK resolves through the import hook', async () => {
    const { functionError, body } = await invokeFunction(stack, 'TypeModuleFunction');

    expect(functionError).toBeNull();
    expect(body).toEqual({ kind: 'type-module', sdk: 'function', esm: 'undefined' });
  });

  it('imports an .mjs handler whose package comes from a local layer', async () => {
    const { functionError, body } = await invokeFunction(stack, 'MjsFunction');

    expect(functionError).toBeNull();
    expect(body).toEqual({ kind: 'mjs', greeting: 'hello from the layer, mjs' });
  });

  it('requires a package from a local layer in CommonJS', async () => {
    const { body } = await invokeFunction(stack, 'LayerUserFunction');

    expect(body).toEqual({ kind: 'layer', greeting: 'hello from the layer, cjs' });
  });

  it("prefers a function's own copy of an SDK package to the one the runtime provides", async () => {
    const { body } = await invokeFunction(stack, 'OwnSdkFunction');

    expect(body).toEqual({ kind: 'own-sdk', own: true });
  });

  it('bundles a TypeScript function with esbuild metadata as ESM, its SDK left external', async () => {
    const { functionError, body } = await invokeFunction(stack, 'BundledFunction');

    expect(functionError).toBeNull();
    expect(body).toEqual({ kind: 'bundled-esm', sdk: 'function' });
  });

  it("shows the source in stack traces only when the function's NODE_OPTIONS turns source maps on, as Lambda does", async () => {
    const plain = await invokeFunction(stack, 'BundledFunction', { fail: true });
    const mapped = await invokeFunction(stack, 'MappedFunction', { fail: true });
    const trace = (body: unknown): string => ((body as { trace?: string[] }).trace ?? []).join('\n');

    expect(plain.body).toMatchObject({ errorMessage: 'failed in app.ts' });
    expect(mapped.body).toMatchObject({ errorMessage: 'failed in app.ts' });
    expect(trace(plain.body)).toMatch(/app-[0-9a-f]+\.mjs:\d+/);
    expect(trace(plain.body)).not.toMatch(/bundled\/app\.ts:\d+/);
    expect(trace(mapped.body)).toMatch(/bundled\/app\.ts:\d+/);
  });

  it('fails the invocation of a function whose module throws at load, and stays up', async () => {
    const { functionError, body } = await invokeFunction(stack, 'BrokenFunction');
    const after = await invokeFunction(stack, 'CommonJsFunction');

    expect(functionError).toBe('Unhandled');
    expect(body).toMatchObject({ errorMessage: 'broken at init' });
    expect(after.functionError).toBeNull();
  });

  it('logs a stray rejection with the function and request, and keeps the container warm', async () => {
    const first = await invokeFunction(stack, 'CjsExtensionFunction', { stray: true });
    const second = await invokeFunction(stack, 'CjsExtensionFunction');

    expect(first.body).toEqual({ kind: 'cjs-ext', invocations: 1 });
    expect(second.body).toEqual({ kind: 'cjs-ext', invocations: 2 });
    expect(stack.lines).toContainEqual(
      expect.stringMatching(/^CjsExtensionFunction [0-9a-f-]{36} ERROR Unhandled Promise Rejection .*stray rejection/),
    );
  });
});

describe('containers started eagerly', () => {
  it('loads every function at stack start and reports the ones that fail then', async () => {
    const eager = await startFixtureStack({
      templatePath: join(RUNTIME_FIXTURES, 'template.yaml'),
      projectRoot: RUNTIME_FIXTURES,
      warmContainers: 'EAGER',
    });
    try {
      expect(eager.lines).toContainEqual(expect.stringMatching(/^! BrokenFunction failed to load: broken at init/));
      expect(eager.lines.filter((line) => line.includes('failed to load'))).toHaveLength(1);
    } finally {
      await eager.stop();
    }
  });
});
