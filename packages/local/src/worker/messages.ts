import type { AwsRedirectOptions } from './aws-redirect';

/** Where a function's bare imports resolve when its own folders do not have them. */
export interface ModuleFallbacks {
  /** The function's `CodeUri` folder: a bundle in a temporary folder resolves its externals here. */
  codeDir: string;
  /** `node_modules` folders of the function's local layers (`/opt/nodejs/node_modules` in Lambda). */
  layerModules: string[];
  /** A folder from which the AWS SDK v3 packages that Lambda's runtime provides resolve. */
  sdkFrom: string;
}

/** What a worker is started with (its `workerData`). */
export interface ContainerData {
  functionName: string;
  /** The file to load: the esbuild bundle, or the function's own JavaScript file. */
  entryFile: string;
  /** The handler's export, possibly nested (`a.b`), as Lambda reads the part of `Handler` after the file. */
  exportName: string;
  memoryMb: number;
  region: string;
  accountId: string;
  fallbacks: ModuleFallbacks;
  /** The ESM resolve hook (a file URL) that applies `fallbacks` to `import`. */
  esmHookUrl: string;
  awsRedirect: AwsRedirectOptions;
}

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  requestId: string;
  event: unknown;
  /** When the invocation times out (epoch ms), for `context.getRemainingTimeInMillis()`. */
  deadline: number;
}

/** An error as it crosses from the worker: what Lambda reports of one. */
export interface ErrorDocument {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type ContainerMessage =
  | { type: 'ready' }
  | { type: 'load-failed'; error: ErrorDocument; notFound: boolean }
  /** `json` is the result as Lambda serialises it, or absent for `undefined`. */
  | { type: 'result'; id: number; json?: string }
  | { type: 'error'; id: number; error: ErrorDocument }
  | { type: 'log'; line: string };

export function errorDocument(error: unknown): ErrorDocument {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
}
