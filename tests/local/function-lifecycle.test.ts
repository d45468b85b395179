import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLambdaRuntime, type WorkerLambdaRuntime } from '../../packages/local/src/lambda-runtime';
import type { FunctionModel } from '../../packages/local/src/stack-model';

let scratch: string;
const runtimes: WorkerLambdaRuntime[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'switchboard-lifecycle-'));
});

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.close()));
  rmSync(scratch, { recursive: true, force: true });
});

/** A function from one ESM file written to the scratch folder, in a runtime of its own. */
function runtimeWith(
  name: string,
  source: string,
  extra: { timeoutSeconds?: number; environmentFor?: () => Record<string, string> } = {},
): WorkerLambdaRuntime {
  const codeDir = join(scratch, name);
  rmSync(codeDir, { recursive: true, force: true });
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, 'app.mjs'), source);
  const fn: FunctionModel = {
    logicalId: name,
    codeDir,
    handler: 'app.handler',
    entryFile: join(codeDir, 'app.mjs'),
    exportName: 'handler',
    build: null,
    layerModules: [],
    timeoutSeconds: extra.timeoutSeconds ?? 3,
    memoryMb: 128,
    environment: {},
  };
  const runtime = createLambdaRuntime({
    functions: new Map([[name, fn]]),
    environmentFor: extra.environmentFor ?? (() => ({})),
    region: 'us-east-1',
    accountId: '123456789012',
    concurrencyPerFunction: 4,
    awsRedirect: { gatewayEndpoint: 'http://127.0.0.1:1', apiHosts: [] },
    log: () => undefined,
  });
  runtimes.push(runtime);
  return runtime;
}

/** How a promise settles, or 'pending' when it has not within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: Error) => `${error.name}: ${error.message}`,
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('pending'), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

const NEVER_LOADS = 'await new Promise(() => setInterval(() => {}, 1000));\nexport const handler = async () => "ok";\n';

describe('a function whose module never finishes loading', () => {
  it("fails its invocation with Lambda's timeout error once init (10 s) and the function's Timeout have passed", async () => {
    const runtime = runtimeWith('NeverLoads', NEVER_LOADS, { timeoutSeconds: 1 });
    const started = Date.now();

    const outcome = await settledWithin(runtime.invoke('NeverLoads', {}), 14_000);

    expect(outcome).toBe('FunctionTimeoutError: Task timed out after 1.00 seconds');
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_900);
  }, 20_000);

  it('lets close() stop it at once, failing the invocation waiting on it', async () => {
    const runtime = runtimeWith('StopsWhileLoading', NEVER_LOADS, { timeoutSeconds: 1 });
    const invocation = runtime.invoke('StopsWhileLoading', {});
    await new Promise((resolve) => setTimeout(resolve, 500));

    const closed = await settledWithin(runtime.close(), 2_000);
    const failed = await settledWithin(invocation, 500);

    expect(closed).toBe('resolved');
    expect(failed).toBe('FunctionRuntimeError: StopsWhileLoading: the stack stopped');
  }, 10_000);
});

describe('a runtime after close()', () => {
  it('refuses a late invocation and starts no container for it', async () => {
    const marker = join(scratch, 'late-loaded');
    const source = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'loaded');\nexport const handler = async () => 'ok';\n`;
    const runtime = runtimeWith('LateInvoke', source);
    await runtime.close();

    const outcome = await settledWithin(runtime.invoke('LateInvoke', {}), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(outcome).toBe('FunctionRuntimeError: LateInvoke: the stack stopped');
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a function's environment", () => {
  it("holds what Lambda's would (PATH, LANG, its own variables), never the host's other variables", async () => {
    const source = 'export const handler = async () => ({ ...process.env });\n';
    const runtime = runtimeWith('EnvReader', source, { environmentFor: () => ({ TABLE_NAME: 'own-table' }) });
    const lang = process.env.LANG;
    process.env.SWITCHBOARD_HOST_ONLY_TOKEN = 'host-secret';
    process.env.LANG ??= 'C.UTF-8';
    try {
      const env = (await runtime.invoke('EnvReader', {})) as Record<string, string>;

      expect(env.SWITCHBOARD_HOST_ONLY_TOKEN).toBeUndefined();
      expect(env).toMatchObject({ PATH: process.env.PATH, LANG: process.env.LANG, TABLE_NAME: 'own-table' });
      expect(env).toMatchObject({ _HANDLER: 'app.handler', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' });
    } finally {
      delete process.env.SWITCHBOARD_HOST_ONLY_TOKEN;
      if (lang === undefined) delete process.env.LANG;
    }
  });
});
