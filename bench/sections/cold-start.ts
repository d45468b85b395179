import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { type CfnValue, parseCloudFormationYaml } from '../../packages/local/src/cfn-yaml';
import { createIntrinsicResolver } from '../../packages/local/src/intrinsic-resolver';
import { PROJECT_ROOT } from '../lib/child-stack';
import { kb, median, ms, ratio } from '../lib/stats';
import type { Table } from '../lib/table';

export interface ColdStartSettings {
  /** Fresh `node` processes per bundle and variant. */
  runs: number;
}

/** What `sam build` does for one function: its entry point and its esbuild `BuildProperties`. */
interface FunctionBuild {
  logicalId: string;
  entry: string;
  minify: boolean;
  target: string;
  sourcemap: boolean;
  external: string[];
}

interface TemplateBuilds {
  functions: FunctionBuild[];
  /** `Globals.Function.Environment.Variables.NODE_OPTIONS` has `--enable-source-maps`, with the parameter defaults. */
  sourceMapsFlag: boolean;
}

interface Measured {
  logicalId: string;
  bytes: number;
  /** Init as deployed (with the template's NODE_OPTIONS), then with the source-map flag the other way round. */
  initMs: number;
  toggledMs: number;
  floorMs: number;
  top: string;
}

export interface ColdStartSummary {
  table: Table;
  maxBytes: number;
  /** The largest init / floor ratio of any function, and which. */
  maxRatio: number;
  maxRatioFunction: string;
  /** The template's NODE_OPTIONS has `--enable-source-maps`. */
  sourceMapsFlag: boolean;
  /** Median over functions of (init with the flag) / (init without it). */
  sourceMapsRatio: number;
  /** A bundle of Powertools Tracer and its middleware, above the same floor; undefined when Tracer is not installed. */
  tracerRatio?: number;
  /** Some function bundles Powertools Tracer. */
  tracerInFunctions: boolean;
  dominant: string;
}

type Resource = {
  Type: string;
  Metadata?: {
    BuildProperties?: {
      EntryPoints?: string[];
      External?: string[];
      Minify?: boolean;
      Target?: string;
      Sourcemap?: boolean;
    };
  };
};

/** The functions of template.yaml with the esbuild properties `sam build` bundles them with. */
export function templateBuilds(): TemplateBuilds {
  const template = parseCloudFormationYaml(readFileSync(join(PROJECT_ROOT, 'template.yaml'), 'utf8')) as unknown as {
    Resources: Record<string, Resource>;
    Parameters?: Record<string, { Default?: unknown }>;
    Conditions?: Record<string, CfnValue>;
    Globals?: { Function?: { Environment?: { Variables?: Record<string, CfnValue> } } };
  };
  const functions = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildProperties?.EntryPoints?.[0])
    .map(([logicalId, r]) => {
      const props = r.Metadata?.BuildProperties ?? {};
      return {
        logicalId,
        entry: props.EntryPoints?.[0] as string,
        minify: props.Minify ?? false,
        target: props.Target ?? 'es2020',
        sourcemap: props.Sourcemap ?? false,
        external: props.External ?? [],
      };
    });
  // NODE_OPTIONS as the template's parameter defaults make it.
  const resolver = createIntrinsicResolver({
    parameters: Object.fromEntries(
      Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, String(p.Default ?? '')]),
    ),
    conditions: template.Conditions ?? {},
    resourceTypes: Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => [id, r.Type])),
  });
  const nodeOptions = resolver.resolveString(template.Globals?.Function?.Environment?.Variables?.NODE_OPTIONS) ?? '';
  return { functions, sourceMapsFlag: nodeOptions.includes('--enable-source-maps') };
}

/** The largest inputs of a bundle, grouped by package (or `src`). */
function topContributors(metafile: Metafile, count = 3): string {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(jsOutput(metafile).inputs)) {
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

function jsOutput(metafile: Metafile): Metafile['outputs'][string] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
  if (!output) throw new Error('esbuild wrote no .js output');
  return output;
}

/** The AWS SDK packages a bundle leaves to the runtime and requires: what its floor requires too. */
function sdkImports(metafile: Metafile): string[] {
  return [
    ...new Set(
      jsOutput(metafile)
        .imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/'))
        .map((i) => i.path),
    ),
  ].sort();
}

/**
 * CPU time (user + system) of `require()`-ing the module in a fresh `node` process. CPU time rather than
 * wall time: on a shared machine a process waiting for a core adds wall time that is not the module's.
 */
const INIT_SCRIPT =
  'const c=process.cpuUsage();require(process.argv[1]);const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1000))';

function timeInit(file: string, env: Record<string, string>, sourceMaps: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', INIT_SCRIPT, file],
      {
        env,
        timeout: 20_000,
        cwd: tmpdir(),
      },
      (error, stdout) => (error ? reject(error) : resolve(Number(stdout))),
    );
  });
}

/** The environment a function needs at module scope (what the template and the local secret give it). */
function functionEnv(logicalId: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_PATH: join(PROJECT_ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'SwitchboardTable',
    TOKEN_SECRET: 'bench-token-secret-0123456789abcdef',
    FEED_WORKER_FUNCTION: 'FeedWorkerFunction',
    MANAGEMENT_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
    FAN_OUT_CONCURRENCY: '50',
    MESSAGE_TTL_HOURS: '24',
    SESSION_TTL_DAYS: '7',
    POWERTOOLS_SERVICE_NAME: 'switchboard',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

async function bundle(entry: string, fn: FunctionBuild, outfile: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: fn.minify,
    platform: 'node',
    target: fn.target,
    format: 'cjs',
    sourcemap: fn.sourcemap,
    metafile: true,
    logLevel: 'silent',
    external: fn.external,
  });
  return result.metafile;
}

/** A handler that requires only the given SDK packages and does nothing: the floor of a function's init. */
function writeFloor(dir: string, sdk: string[]): string {
  const file = join(dir, `floor-${sdk.length}-${sdk.join('+').replace(/[^a-z+-]/g, '')}.js`);
  if (!existsSync(file)) {
    writeFileSync(
      file,
      `${sdk.map((name) => `require(${JSON.stringify(name)});`).join('\n')}\nexports.handler = async () => ({ statusCode: 200 });\n`,
    );
  }
  return file;
}

/** Powertools Tracer and its middy middleware, made as a handler module makes them, above the same SDK imports. */
function tracerProbeSource(sdk: string[]): string | undefined {
  if (!existsSync(join(PROJECT_ROOT, 'node_modules', '@aws-lambda-powertools', 'tracer', 'package.json')))
    return undefined;
  return [
    ...sdk.map((name, i) => `import * as sdk${i} from ${JSON.stringify(name)};`),
    "import { Tracer } from '@aws-lambda-powertools/tracer';",
    "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';",
    `export const sdk = [${sdk.map((_name, i) => `sdk${i}`).join(', ')}];`,
    'const tracer = new Tracer();',
    'export const middleware = captureLambdaHandler(tracer);',
    'export const handler = async () => ({ statusCode: 200 });',
  ].join('\n');
}

/**
 * Section 3: each function bundled as `sam build` bundles it (template BuildProperties), and its module
 * initialisation in fresh `node` processes, against a floor measured in the same run: a handler that requires
 * only the same AWS SDK packages and does nothing. Also the cost of `--enable-source-maps` (the bundle timed with
 * the flag the other way round) and of Powertools Tracer (a probe bundle of Tracer above the same floor).
 */
export async function runColdStart(settings: ColdStartSettings): Promise<ColdStartSummary> {
  const outDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const { functions, sourceMapsFlag } = templateBuilds();
  try {
    const prepared = [];
    for (const fn of functions) {
      const outfile = join(outDir, fn.logicalId, 'index.js');
      const metafile = await bundle(fn.entry, fn, outfile);
      const sdk = sdkImports(metafile);
      prepared.push({
        fn,
        outfile,
        sdk,
        floor: writeFloor(outDir, sdk),
        bytes: statSync(outfile).size,
        top: topContributors(metafile),
        tracer: Object.keys(metafile.inputs).some((path) => path.includes('@aws-lambda-powertools/tracer')),
        times: { init: [] as number[], toggled: [] as number[] },
      });
    }
    const first = prepared[0];
    if (!first) throw new Error('template.yaml has no function with esbuild BuildProperties');
    const probeSource = tracerProbeSource(first.sdk);
    let probe: { file: string; floor: string; times: number[] } | undefined;
    if (probeSource) {
      mkdirSync(join(outDir, 'tracer-probe'));
      const entry = join(outDir, 'tracer-probe', 'entry.ts');
      writeFileSync(entry, probeSource);
      const file = join(outDir, 'tracer-probe', 'index.js');
      await build({
        entryPoints: [entry],
        outfile: file,
        bundle: true,
        minify: first.fn.minify,
        platform: 'node',
        target: first.fn.target,
        format: 'cjs',
        sourcemap: first.fn.sourcemap,
        logLevel: 'silent',
        external: first.fn.external,
        nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      });
      probe = { file, floor: first.floor, times: [] };
    }
    // Functions that require the same SDK packages share one floor, and its samples are pooled.
    const floorTimes = new Map<string, number[]>();
    const sampleFloor = async (file: string, env: Record<string, string>): Promise<void> => {
      const times = floorTimes.get(file) ?? [];
      times.push(await timeInit(file, env, sourceMapsFlag));
      floorTimes.set(file, times);
    };
    const floorOf = (file: string): number => median(floorTimes.get(file) ?? []);

    // Interleaved, so that a busy moment of the machine falls on every variant alike.
    for (let run = 0; run < settings.runs; run += 1) {
      for (const p of prepared) {
        const env = functionEnv(p.fn.logicalId);
        p.times.init.push(await timeInit(p.outfile, env, sourceMapsFlag));
        p.times.toggled.push(await timeInit(p.outfile, env, !sourceMapsFlag));
        await sampleFloor(p.floor, env);
      }
      if (probe) {
        const env = functionEnv('TracerProbe');
        probe.times.push(await timeInit(probe.file, env, sourceMapsFlag));
        await sampleFloor(probe.floor, env);
      }
    }

    const measured: Measured[] = prepared.map((p) => ({
      logicalId: p.fn.logicalId,
      bytes: p.bytes,
      top: p.top,
      initMs: median(p.times.init),
      toggledMs: median(p.times.toggled),
      floorMs: floorOf(p.floor),
    }));
    const ratios = measured.map((m) => ({ id: m.logicalId, ratio: m.initMs / m.floorMs }));
    const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const withMaps = (m: Measured): number => (sourceMapsFlag ? m.initMs : m.toggledMs);
    const withoutMaps = (m: Measured): number => (sourceMapsFlag ? m.toggledMs : m.initMs);
    const tracerRatio = probe ? median(probe.times) / floorOf(probe.floor) : undefined;
    const flag = sourceMapsFlag ? 'with' : 'without';
    const rows = measured.map((m) => [
      m.logicalId,
      kb(m.bytes),
      ms(m.initMs),
      ms(m.floorMs),
      ratio(m.initMs / m.floorMs),
      `${ms(withMaps(m))} / ${ms(withoutMaps(m))}`,
      m.top,
    ]);
    if (probe) {
      rows.push([
        'Powertools Tracer alone (probe)',
        '-',
        ms(median(probe.times)),
        ms(floorOf(probe.floor)),
        ratio(tracerRatio ?? Number.NaN),
        '-',
        'Tracer, its middleware and the X-Ray SDK, bundled like a function',
      ]);
    }
    const largest = measured.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    return {
      maxBytes: largest.bytes,
      maxRatio: worst.ratio,
      maxRatioFunction: worst.id,
      sourceMapsFlag,
      sourceMapsRatio: median(measured.map((m) => withMaps(m) / withoutMaps(m))),
      ...(tracerRatio === undefined ? {} : { tracerRatio }),
      tracerInFunctions: prepared.some((p) => p.tracer),
      dominant: largest.top,
      table: {
        title: `3. Cold start: module initialisation against its floor (CPU time, median of ${settings.runs} fresh node processes)`,
        headers: [
          'function',
          'bundle',
          'init',
          'floor',
          'init / floor',
          'init with / without --enable-source-maps',
          'largest inputs',
        ],
        rows,
        notes: [
          `Bundles as \`sam build\` makes them from each function's BuildProperties in template.yaml (esbuild, platform node, format cjs; External, Minify, Target, Sourcemap as set there). "init" runs ${flag} \`--enable-source-maps\`, as the template's NODE_OPTIONS says.`,
          '"floor": a handler that requires only the AWS SDK packages the bundle leaves to the runtime (found in its esbuild metafile) and does nothing, timed in the same run, interleaved with the bundles, with the same flags and environment; functions that require the same packages share one floor, whose samples are pooled (the median of all of them). "init / floor" is the figure to read; the absolute times depend on the machine.',
          'Init: `require()` of the module in a fresh `node` process, as CPU time (user + system, `process.cpuUsage()`), which a busy shared machine disturbs far less than wall time. Lambda adds its own runtime start and the package download, not counted here.',
          'The Tracer probe bundles `@aws-lambda-powertools/tracer`, `new Tracer()` and `captureLambdaHandler` over the same SDK requires, with the same build properties: what Tracer would add to any function. "largest inputs": share of the bundle by package, from the esbuild metafile.',
        ],
      },
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
