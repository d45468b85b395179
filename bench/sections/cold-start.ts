import { build, type Metafile } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '../../src/local/cfn-yaml';
import { PROJECT_ROOT } from '../lib/child-stack';
import { kb, median, ms } from '../lib/stats';
import type { Table } from '../lib/table';

export interface ColdStartSettings {
  /** Fresh `node` processes per bundle and variant. */
  runs: number;
  /** Also time the SDK-bundled build without `--enable-source-maps`. */
  withoutSourceMaps: boolean;
}

interface FunctionEntry {
  logicalId: string;
  entry: string;
  /** The template's `External` for this function: does `sam build` leave `@aws-sdk/*` out? */
  sdkExternal: boolean;
}

interface Variant {
  bytes: number;
  initMs: number;
  initNoMapsMs?: number;
  top: string;
}

export interface ColdStartSummary {
  table: Table;
  maxExternalBytes: number;
  maxBundledBytes: number;
  maxExternalInitMs: number;
  maxBundledInitMs: number;
  /** Every function's template `External` leaves the SDK to the runtime. */
  templateSdkExternal: boolean;
  /** What dominates the SDK-external bundles (from the metafile of the largest). */
  dominantExternal: string;
}

/** The functions of template.yaml and their esbuild entry points (Metadata.BuildProperties.EntryPoints). */
export function templateEntries(): FunctionEntry[] {
  const template = parseCloudFormationYaml(readFileSync(join(PROJECT_ROOT, 'template.yaml'), 'utf8')) as unknown as {
    Resources: Record<string, { Type: string; Metadata?: { BuildProperties?: { EntryPoints?: string[]; External?: string[] } } }>;
  };
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildProperties?.EntryPoints?.[0])
    .map(([logicalId, r]) => ({
      logicalId,
      entry: r.Metadata?.BuildProperties?.EntryPoints?.[0] as string,
      sdkExternal: (r.Metadata?.BuildProperties?.External ?? []).some((e) => e === '@aws-sdk/*'),
    }));
}

/** The largest inputs of a bundle, grouped by package (or `src`). */
function topContributors(metafile: Metafile, outfile: string, count = 3): string {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match?.[1] ?? (path.startsWith('src/') ? 'src/' : path);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${Math.round((100 * bytes) / total)}%`)
    .join(', ');
}

const INIT_SCRIPT = 'const t=performance.now();require(process.argv[1]);process.stdout.write(String(performance.now()-t))';

function timeInit(bundle: string, env: Record<string, string>, sourceMaps: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', INIT_SCRIPT, bundle], {
      env, timeout: 20_000, cwd: tmpdir(),
    }, (error, stdout) => (error ? reject(error) : resolve(Number(stdout))));
  });
}

/** The environment a function needs at module scope (what the template and the local secret give it). */
function functionEnv(logicalId: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_PATH: join(PROJECT_ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
    AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'bench-token-secret-0123456789abcdef',
    FEED_WORKER_FUNCTION: 'switchboard-feed-worker',
    MANAGEMENT_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
    FAN_OUT_CONCURRENCY: '50', MESSAGE_TTL_HOURS: '24', SESSION_TTL_DAYS: '7',
    POWERTOOLS_SERVICE_NAME: 'switchboard', POWERTOOLS_METRICS_NAMESPACE: 'Switchboard', POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

async function measure(fn: FunctionEntry, outDir: string, bundleSdk: boolean, settings: ColdStartSettings): Promise<Variant> {
  const outfile = join(outDir, `${fn.logicalId}-${bundleSdk ? 'sdk' : 'nosdk'}`, 'index.js');
  const result = await build({
    absWorkingDir: PROJECT_ROOT, entryPoints: [fn.entry], outfile, bundle: true, minify: true, platform: 'node',
    target: 'es2022', format: 'cjs', sourcemap: true, metafile: true, logLevel: 'silent',
    external: bundleSdk ? [] : ['@aws-sdk/*'],
  });
  const env = functionEnv(fn.logicalId);
  const times: number[] = [];
  const noMaps: number[] = [];
  for (let run = 0; run < settings.runs; run += 1) {
    times.push(await timeInit(outfile, env, true));
    if (settings.withoutSourceMaps && bundleSdk) noMaps.push(await timeInit(outfile, env, false));
  }
  return {
    bytes: statSync(outfile).size,
    initMs: median(times),
    ...(noMaps.length ? { initNoMapsMs: median(noMaps) } : {}),
    top: topContributors(result.metafile, 'index.js'),
  };
}

/**
 * Section 3: per-function bundles as `sam build` makes them (esbuild, minified, node, es2022, cjs, source
 * maps) with and without the SDK bundled, and their module initialisation time in fresh `node` processes.
 */
export async function runColdStart(settings: ColdStartSettings): Promise<ColdStartSummary> {
  const outDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const rows: string[][] = [];
  const summary = { maxExternalBytes: 0, maxBundledBytes: 0, maxExternalInitMs: 0, maxBundledInitMs: 0, dominantExternal: '' };
  const entries = templateEntries();
  try {
    for (const fn of entries) {
      const external = await measure(fn, outDir, false, settings);
      const bundled = await measure(fn, outDir, true, settings);
      if (external.bytes >= summary.maxExternalBytes) summary.dominantExternal = external.top;
      summary.maxExternalBytes = Math.max(summary.maxExternalBytes, external.bytes);
      summary.maxBundledBytes = Math.max(summary.maxBundledBytes, bundled.bytes);
      summary.maxExternalInitMs = Math.max(summary.maxExternalInitMs, external.initMs);
      summary.maxBundledInitMs = Math.max(summary.maxBundledInitMs, bundled.initMs);
      rows.push([
        fn.logicalId, kb(external.bytes), ms(external.initMs), external.top,
        kb(bundled.bytes), `${ms(bundled.initMs)}${bundled.initNoMapsMs === undefined ? '' : ` (${ms(bundled.initNoMapsMs)} without maps)`}`, bundled.top,
      ]);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const templateSdkExternal = entries.every((fn) => fn.sdkExternal);
  return {
    ...summary,
    templateSdkExternal,
    table: {
      title: `3. Cold start: bundle size and module initialisation (median of ${settings.runs} fresh node processes)`,
      headers: ['function', 'bundle, SDK external', 'init', 'largest inputs', 'bundle, SDK bundled', 'init', 'largest inputs'],
      rows,
      notes: [
        'esbuild as `sam build` runs it for this template: bundle, minify, platform node, target es2022, format cjs, source maps (Sourcemap: true, so NODE_OPTIONS=--enable-source-maps; init is timed with that flag).',
        `SDK external: \`@aws-sdk/*\` left to the nodejs22.x runtime (init then includes loading it from node_modules, as the runtime does from its own copy)${templateSdkExternal ? ': what template.yaml builds (`External: [\'@aws-sdk/*\']`)' : ''}. SDK bundled: the SDK inside the bundle${templateSdkExternal ? '' : ', what template.yaml builds today, since it sets no `External`'}.`,
        'Init: `require()` of the bundle in a fresh `node` process with the environment the function reads at module scope (TABLE_NAME, TOKEN_SECRET, ...). Lambda adds its own runtime start and the download of the package, not counted here.',
        '"largest inputs": share of the bundle by package, from the esbuild metafile.',
      ],
    },
  };
}
