import type { LocalStack } from '../../packages/local/src/stack';
import { startFixtureStack } from './support/fixture-stack';

interface CountingResult {
  count: number;
  onlyAAtInit: string | null;
  onlyAInCall: string | null;
  onlyAAfterAwait?: string | null;
  setInCall?: string | null;
  listed?: boolean;
}

let stack: LocalStack | null;
let original: NodeJS.ProcessEnv;

/** A RequestResponse invocation through the local Lambda Invoke API. */
async function invoke(functionName: string, event: unknown = {}): Promise<CountingResult> {
  const response = await fetch(`${stack?.connectionsUrl}/2015-03-31/functions/${functionName}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  expect(response.headers.get('x-amz-function-error')).toBeNull();
  return (await response.json()) as CountingResult;
}

beforeAll(async () => {
  original = process.env;
  stack = await startFixtureStack({ quiet: true });
});

afterAll(async () => {
  await stack?.stop();
});

describe('functions in one local stack, each as in its own Lambda container', () => {
  it('gives each function its own instance of a module they all import, also when they share an entry file', async () => {
    const a1 = await invoke('CountAFunction');
    const a2 = await invoke('CountAFunction');
    const b1 = await invoke('CountBFunction');
    const c1 = await invoke('CountCFunction');

    expect([a1.count, a2.count, b1.count, c1.count]).toEqual([1, 2, 1, 1]);
  });

  it('shows a variable declared only on function A to A alone, at module load and during invocations', async () => {
    const [a, b, c] = await Promise.all([invoke('CountAFunction'), invoke('CountBFunction'), invoke('CountCFunction')]);

    expect(a).toMatchObject({ onlyAAtInit: 'a', onlyAInCall: 'a', onlyAAfterAwait: 'a', listed: true });
    expect(b).toMatchObject({ onlyAAtInit: null, onlyAInCall: null, onlyAAfterAwait: null, listed: false });
    expect(c).toMatchObject({ onlyAAtInit: null, onlyAInCall: null });
    expect(process.env.ONLY_A).toBeUndefined();
  });

  it("keeps what a function's code sets in process.env to that function", async () => {
    const a = await invoke('CountAFunction', { set: 'by-a' });
    const b = await invoke('CountBFunction');
    const aAgain = await invoke('CountAFunction');

    expect(a.setInCall).toBe('by-a');
    expect(b.setInCall).toBeNull();
    expect(aAgain.setInCall).toBe('by-a');
    expect(process.env.SET_IN_CALL).toBeUndefined();
  });

  it("never changes the stack's own process.env", async () => {
    await invoke('CountAFunction', { set: 'by-a' });

    expect(process.env).toBe(original);
    expect(process.env.ONLY_A).toBeUndefined();
    expect(process.env.SET_IN_CALL).toBeUndefined();
  });
});
