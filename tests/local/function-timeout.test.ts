import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../packages/local/src/stack';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';
import { invokeFunction } from './support/invoke-function';

const RUNTIME_FIXTURES = join(FIXTURES, 'runtime');

let stack: LocalStack & { lines: string[] };
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'switchboard-timeout-'));
  stack = await startFixtureStack({
    templatePath: join(RUNTIME_FIXTURES, 'template.yaml'),
    projectRoot: RUNTIME_FIXTURES,
  });
});

afterAll(async () => {
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const ticks = (file: string): number => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a handler past its Timeout', () => {
  it("fails with Lambda's timeout error and is stopped: its timers never fire again", async () => {
    const file = join(scratch, 'ticks.log');
    const warm = await invokeFunction(stack, 'RunawayFunction');

    const timedOut = await invokeFunction(stack, 'RunawayFunction', { file });
    const atTimeout = ticks(file);
    await sleep(300);

    expect(warm.body).toEqual({ invocations: 1 });
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.body).toMatchObject({ errorMessage: 'Task timed out after 1.00 seconds' });
    expect(atTimeout).toBeGreaterThan(5);
    expect(ticks(file)).toBe(atTimeout);
    expect(stack.lines).toContainEqual(expect.stringMatching(/^RunawayFunction Task timed out after 1\.00 seconds/));
  });

  it('fails the other invocations its container was running with the same error', async () => {
    const file = join(scratch, 'other.log');
    // Alone, the other invocation finishes well within the 1 s Timeout.
    const alone = await invokeFunction(stack, 'RunawayFunction', { sleepMs: 800 });

    // Started 500 ms after the runaway, it would answer at +1300 ms: the runaway's timeout at +1000 ms ends it.
    const [runaway, other] = await Promise.all([
      invokeFunction(stack, 'RunawayFunction', { file }),
      sleep(500).then(() => invokeFunction(stack, 'RunawayFunction', { sleepMs: 800 })),
    ]);

    expect(alone).toEqual({ functionError: null, body: { slept: 800 } });
    expect(runaway.body).toMatchObject({ errorMessage: 'Task timed out after 1.00 seconds' });
    expect(other.functionError).toBe('Unhandled');
    expect(other.body).toMatchObject({ errorMessage: 'Task timed out after 1.00 seconds' });
  });

  it('cold-starts a new container at the next invocation, with fresh module state', async () => {
    const next = await invokeFunction(stack, 'RunawayFunction');

    expect(next.functionError).toBeNull();
    expect(next.body).toEqual({ invocations: 1 });
  });
});
