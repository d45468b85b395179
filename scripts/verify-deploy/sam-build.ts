import { execFile } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { type CfnValue, parseCloudFormationYaml } from '../../packages/local/src/cfn-yaml';
import { VerifyDeployError } from './verify-deploy-error';

/**
 * What `sam build` does for a function with `BuildMethod: esbuild`, step by step, as SAM CLI and
 * aws-lambda-builders' NodejsNpmEsbuildBuilder do it (their source is the reference; nothing here is
 * guessed from the documentation alone):
 *
 * 1. SAM CLI turns `BuildProperties` into builder options by changing each key from PascalCase to
 *    snake_case (`EntryPoints` -> `entry_points`); without `EntryPoints`, the Handler's file is the entry.
 * 2. The builder copies the function's `CodeUri` to a scratch folder, leaving out `.aws-sam`, `.git` and
 *    every `node_modules`.
 * 3. It installs dependencies there: `npm install -q --no-audit --no-save --unsafe-perm --production`
 *    (or `npm ci` with `UseNpmCi: true`). Dev dependencies are NOT installed.
 * 4. It looks for `esbuild` in `$(npm root)/.bin` of the scratch folder, then on `PATH`, and fails with
 *    "Cannot find esbuild" otherwise. Hence esbuild is a production dependency of this project.
 * 5. It runs esbuild in the scratch folder: entry points, `--bundle --platform=node --outdir=<artifacts>`,
 *    `--target=es2020`, `--format=cjs` and `--minify` unless the options set them, then the options it
 *    knows: booleans `minify`, `sourcemap`; values `target`, `format`, `main_fields`, `sources_content`;
 *    lists `external`, `loader`, `out_extension`, `banner` (`--external:x` per item). Other keys are ignored.
 *
 * Written by hand because no package reproduces it: SAM CLI itself is Python and needs Docker or an
 * AWS-shaped machine; this keeps to Node, npm and the esbuild the project installs.
 */

const BOOLEAN_OPTIONS = ['minify', 'sourcemap'];
const VALUE_OPTIONS = ['target', 'format', 'main_fields', 'sources_content'];
const LIST_OPTIONS = ['external', 'loader', 'out_extension', 'banner'];
/** Options the builder reads that are not esbuild flags. */
const WORKFLOW_OPTIONS = ['entry_points', 'use_npm_ci'];
/** What the builder's copy leaves out, at every depth. */
const EXCLUDED_FROM_COPY = new Set(['.aws-sam', '.git', 'node_modules']);

export type BuilderOptions = Record<string, CfnValue>;

/** An `AWS::Serverless::Function` as `sam build` sees it (Globals merged). */
export interface SamFunction {
  logicalId: string;
  /** `connect.handler`: file `connect.js` in the artifacts, export `handler`. */
  handler: string;
  codeUri: string;
  runtime: string;
  buildMethod: string | undefined;
  buildProperties: Record<string, CfnValue>;
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};

/** Every function of a SAM template, with the Globals that `sam build` applies. */
export function readSamFunctions(templatePath: string): SamFunction[] {
  const template = asObj(parseCloudFormationYaml(readFileSync(templatePath, 'utf8')));
  const globals = asObj(asObj(template.Globals).Function);
  return Object.entries(asObj(template.Resources))
    .filter(([, resource]) => asObj(resource).Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]) => {
      const properties = asObj(asObj(resource).Properties);
      const metadata = asObj(asObj(resource).Metadata);
      const text = (name: string, fallback?: string): string => {
        const value = properties[name] ?? globals[name] ?? fallback;
        if (typeof value !== 'string')
          throw new VerifyDeployError(
            logicalId,
            'template',
            `${name} must be a plain string in ${basename(templatePath)}`,
          );
        return value;
      };
      return {
        logicalId,
        handler: text('Handler'),
        codeUri: text('CodeUri', '.'),
        runtime: text('Runtime'),
        buildMethod: typeof metadata.BuildMethod === 'string' ? metadata.BuildMethod : undefined,
        buildProperties: asObj(metadata.BuildProperties),
      };
    });
}

/** `EntryPoints` -> `entry_points`, as SAM CLI's ResourceMetadataNormalizer does. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The options SAM CLI hands the esbuild builder for a function. */
export function builderOptions(fn: SamFunction): BuilderOptions {
  const options: BuilderOptions = {};
  for (const [key, value] of Object.entries(fn.buildProperties)) options[snakeCase(key)] = value;
  if (fn.buildProperties.EntryPoints === undefined) options.entry_points = [fn.handler.split('.')[0] ?? fn.handler];
  return options;
}

/** BuildProperties the builder would silently ignore: a typo there changes the bundle without a word. */
export function ignoredBuildProperties(fn: SamFunction): string[] {
  const known = new Set([...BOOLEAN_OPTIONS, ...VALUE_OPTIONS, ...LIST_OPTIONS, ...WORKFLOW_OPTIONS]);
  return Object.keys(fn.buildProperties).filter((key) => !known.has(snakeCase(key)));
}

/** The esbuild command line (without the binary) the builder runs in `scratchDir`. */
export function esbuildArguments(fn: SamFunction, scratchDir: string, artifactsDir: string): string[] {
  const options = { ...builderOptions(fn) };
  const args: string[] = [];

  const entryPoints = options.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new VerifyDeployError(fn.logicalId, 'esbuild arguments', 'EntryPoints must be a non-empty list');
  }
  for (const entry of entryPoints.map(String)) {
    const withExtension = extname(entry) ? [entry] : [`${entry}.ts`, `${entry}.js`];
    const found = withExtension.find((candidate) => existsSync(join(scratchDir, candidate)));
    if (!found)
      throw new VerifyDeployError(
        fn.logicalId,
        'esbuild arguments',
        `entry point ${join(scratchDir, entry)} does not exist`,
      );
    args.push(found);
  }

  // `./node_modules/*` in External makes every dependency of package.json external instead.
  const externals = Array.isArray(options.external) ? options.external.map(String) : [];
  if (externals.includes('./node_modules/*')) {
    const manifest = JSON.parse(readFileSync(join(scratchDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    args.push(...Object.keys(manifest.dependencies ?? {}).map((name) => `--external:${name}`));
    delete options.external;
  }

  args.push('--bundle', '--platform=node', `--outdir=${artifactsDir}`);
  if (!('target' in options)) args.push('--target=es2020');
  if (!('format' in options)) args.push('--format=cjs');
  if (!('minify' in options)) args.push('--minify');

  const flag = (key: string): string => key.replace(/_/g, '-');
  for (const key of BOOLEAN_OPTIONS) if (options[key] === true) args.push(`--${flag(key)}`);
  for (const key of VALUE_OPTIONS) if (key in options) args.push(`--${flag(key)}=${String(options[key])}`);
  for (const key of LIST_OPTIONS) {
    if (!(key in options)) continue;
    const values = options[key];
    if (!Array.isArray(values)) throw new VerifyDeployError(fn.logicalId, 'esbuild arguments', `${key} must be a list`);
    for (const value of values) args.push(`--${flag(key)}:${String(value)}`);
  }
  return args;
}

/** The builder's copy of the source: everything but `.aws-sam`, `.git` and `node_modules`. */
export function copySource(sourceDir: string, scratchDir: string): void {
  cpSync(sourceDir, scratchDir, {
    recursive: true,
    filter: (path) => !EXCLUDED_FROM_COPY.has(basename(path)),
  });
}

const run = promisify(execFile);

/** The builder's install step: production dependencies only (or `npm ci` when `UseNpmCi` is true). */
export async function installDependencies(scratchDir: string, options: BuilderOptions): Promise<string[]> {
  const hasLockfile =
    existsSync(join(scratchDir, 'package-lock.json')) || existsSync(join(scratchDir, 'npm-shrinkwrap.json'));
  const args =
    options.use_npm_ci === true && hasLockfile
      ? ['ci']
      : ['install', '-q', '--no-audit', '--no-save', '--unsafe-perm', '--production'];
  await run('npm', args, { cwd: scratchDir, maxBuffer: 16 * 1024 * 1024 });
  return args;
}

/** Where the builder finds esbuild, and whether that is the scratch folder's install or `PATH`. */
export interface FoundEsbuild {
  path: string;
  fromScratchFolder: boolean;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `which esbuild` over `$(npm root)/.bin` of the scratch folder first, then `PATH`; undefined when nowhere. */
export async function findEsbuild(
  scratchDir: string,
  path = process.env.PATH ?? '',
): Promise<FoundEsbuild | undefined> {
  const { stdout } = await run('npm', ['root'], { cwd: scratchDir });
  const scratchBin = join(stdout.trim(), '.bin');
  const inScratch = join(scratchBin, 'esbuild');
  if (isExecutable(inScratch)) return { path: inScratch, fromScratchFolder: true };
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'esbuild');
    if (isExecutable(candidate)) return { path: candidate, fromScratchFolder: false };
  }
  return undefined;
}

/** Runs esbuild as the builder does; its stderr becomes the error. */
export async function runEsbuild(fn: SamFunction, esbuild: string, args: string[], scratchDir: string): Promise<void> {
  try {
    await run(esbuild, args, { cwd: scratchDir, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new VerifyDeployError(fn.logicalId, 'esbuild', stderr || String(error));
  }
}

/** The file Lambda loads for a Handler (`connect.handler` -> `connect.js`) and the export it calls. */
export function handlerTarget(fn: SamFunction, artifactsDir: string): { file: string; exportName: string } {
  const dot = fn.handler.lastIndexOf('.');
  const modulePath = fn.handler.slice(0, dot);
  const exportName = fn.handler.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs']
    .map((ext) => join(artifactsDir, modulePath + ext))
    .find((candidate) => existsSync(candidate));
  if (!file)
    throw new VerifyDeployError(fn.logicalId, 'bundle', `the bundle has no ${modulePath}.js for Handler ${fn.handler}`);
  return { file, exportName };
}

/** Packages from node_modules inside a bundle, read from its source map (`node_modules/<name>/...`). */
export function bundledPackages(bundleFile: string): string[] {
  const mapFile = `${bundleFile}.map`;
  if (!existsSync(mapFile)) return [];
  const { sources } = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[] };
  const names = new Set<string>();
  for (const source of sources) {
    // The innermost node_modules names the package (`a/node_modules/b/x.js` is b).
    const name = [...source.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1];
    if (name) names.add(name);
  }
  return [...names].sort();
}

/**
 * Dynamic `import()`s of runtime-provided packages left in a bundle. esbuild keeps `import("@aws-sdk/x")` of
 * an external package as it is, and an ES module import does not search NODE_PATH, where the Lambda runtime
 * keeps the SDK; a static import is bundled as a `require`, which does.
 */
export function dynamicRuntimeImports(bundleFile: string): string[] {
  const code = readFileSync(bundleFile, 'utf8');
  return [...new Set([...code.matchAll(/\bimport\(\s*["'](@aws-sdk\/[^"']+)["']\s*\)/g)].map((m) => m[1] as string))];
}
