import { AsyncLocalStorage } from 'node:async_hooks';

/** The variables one function sees over the process's own: its template variables and what its code sets. */
export interface FunctionEnvironment {
  variables: Record<string, string>;
  /** Variables its code deleted, hidden from it even when the process has them. */
  removed: Set<string>;
}

export interface ProcessEnvView {
  /** Runs `fn` (and everything it starts asynchronously) with `process.env` showing `environment`. */
  run<T>(environment: FunctionEnvironment, fn: () => T): T;
  /** Gives `process.env` back to the process once every stack that acquired the view has released it. */
  release(): void;
}

interface SharedView {
  storage: AsyncLocalStorage<FunctionEnvironment>;
  base: NodeJS.ProcessEnv;
  users: number;
}

const VIEW = Symbol.for('switchboard.local.processEnvView');

export function functionEnvironment(variables: Record<string, string>): FunctionEnvironment {
  return { variables: { ...variables }, removed: new Set() };
}

function createProxy(shared: SharedView): NodeJS.ProcessEnv {
  const { storage, base } = shared;
  const current = (): FunctionEnvironment | undefined => storage.getStore();
  const lookup = (key: string): string | undefined => {
    const scope = current();
    if (scope?.removed.has(key)) return undefined;
    if (scope && Object.hasOwn(scope.variables, key)) return scope.variables[key];
    return base[key];
  };
  const assign = (key: string, value: unknown): void => {
    const scope = current();
    if (!scope) {
      base[key] = value as string;
      return;
    }
    scope.variables[key] = String(value);
    scope.removed.delete(key);
  };
  return new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, key) => (key === VIEW ? shared : typeof key === 'string' ? lookup(key) : undefined),
    set: (_target, key, value) => {
      if (typeof key === 'string') assign(key, value);
      return true;
    },
    defineProperty: (_target, key, descriptor) => {
      if (typeof key === 'string') assign(key, descriptor.value);
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key !== 'string') return true;
      const scope = current();
      if (!scope) return delete base[key];
      delete scope.variables[key];
      scope.removed.add(key);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && lookup(key) !== undefined,
    ownKeys: () => {
      const scope = current();
      const keys = new Set([...Object.keys(base), ...Object.keys(scope?.variables ?? {})]);
      return [...keys].filter((key) => lookup(key) !== undefined);
    },
    getOwnPropertyDescriptor: (_target, key) => {
      const value = typeof key === 'string' ? lookup(key) : undefined;
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/**
 * Replaces `process.env` with a view that shows each function its own variables while its code runs (module
 * load, invocations, and the callbacks they schedule), and the process's variables everywhere else. Lambda
 * gives each function its own environment; without this, functions in one process would see each other's.
 * Stacks in one process share one view.
 */
export function acquireProcessEnvView(): ProcessEnvView {
  const installed = (process.env as Record<symbol, unknown>)[VIEW] as SharedView | undefined;
  const shared = installed ?? { storage: new AsyncLocalStorage<FunctionEnvironment>(), base: process.env, users: 0 };
  if (!installed) process.env = createProxy(shared);
  shared.users += 1;
  let released = false;
  return {
    run: (environment, fn) => shared.storage.run(environment, fn),
    release() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users === 0 && (process.env as Record<symbol, unknown>)[VIEW] === shared) process.env = shared.base;
    },
  };
}
