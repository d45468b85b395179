import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { build, version as esbuildVersion, stop as stopEsbuild } from 'esbuild';

/** What `sam build` reads from a function's `Metadata.BuildProperties` (Minify is always off locally). */
export interface BundleRequest {
  entry: string;
  /** Folder that relative paths in the build resolve from (the function's CodeUri). */
  workingDir: string;
  format: 'cjs' | 'esm';
  target: string;
  external: string[];
  mainFields?: string[];
  /** Text put first in the output (`Banner: js=...`). */
  banner?: string;
}

type Inputs = [path: string, mtimeMs: number, size: number][];

/**
 * This user's cache folder in the temporary folder, made readable and writable by this user alone. The
 * temporary folder is shared: a folder someone else made (or can write to) could hold a planted bundle whose
 * manifest matches the inputs' mtimes and sizes, which a function would then run. Such a folder is refused.
 */
function cacheDir(temporaryFolder: string): string {
  const uid = process.getuid?.();
  const folder = join(temporaryFolder, `switchboard-local-bundles-${uid ?? 'user'}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (uid === undefined) return folder; // No owners to check (Windows): its temporary folder is per user.
  const stats = lstatSync(folder);
  if (!stats.isDirectory() || stats.uid !== uid)
    throw new Error(`The bundle cache ${folder} is not this user's own folder: remove it and start again`);
  if ((stats.mode & 0o077) !== 0)
    throw new Error(`The bundle cache ${folder} is refused: others can write to it or read it (chmod 700 it)`);
  return folder;
}
/**
 * What a build leaves when its process is killed mid-way: its staging folder beside the cache folder, and a
 * half-written file in it (see bundleNow and writeAtomically). Nothing else removes them. A build takes
 * seconds, so one an hour old is no other process's build in progress.
 */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;
/** Cache folders swept by this process: once each is enough. */
const swept = new Set<string>();

function sweepLeftovers(cache: string): void {
  if (swept.has(cache)) return;
  swept.add(cache);
  const old = (path: string): boolean =>
    Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > LEFTOVER_AGE_MS;
  const parent = dirname(cache);
  const staging = readdirSync(parent)
    .filter((name) => name.startsWith(`${basename(cache)}.build-`))
    .map((name) => join(parent, name));
  // A half-written file is named `<file>.<pid>.<random>`; a finished one ends .cjs, .mjs, .map or .json.
  const halfWritten = readdirSync(cache)
    .filter((name) => /\.\d+\.[a-z0-9]+$/.test(name) && !/\.(cjs|mjs|map|json)$/.test(name))
    .map((name) => join(cache, name));
  for (const path of [...staging, ...halfWritten]) {
    // Ours only: the cache folder is this user's, and a staging folder of someone else's is not ours to remove.
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats && stats.uid === lstatSync(cache).uid && old(path)) rmSync(path, { recursive: true, force: true });
  }
}

/** Builds in progress in this process, so that stacks started at once build a function once. */
const building = new Map<string, Promise<string>>();

function inputsUnchanged(inputs: Inputs): boolean {
  return inputs.every(([path, mtimeMs, size]) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats !== undefined && stats.mtimeMs === mtimeMs && stats.size === size;
  });
}

function readManifest(file: string): Inputs | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Inputs;
  } catch {
    return null;
  }
}

/** Writes through a temporary name and renames, so that another process never reads half a file. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/**
 * esbuild writes the output itself, into a private folder beside the cache folder (same depth, so the source
 * map's relative paths hold), and the files are then renamed into the cache, so that another process never
 * reads half a file. With `write: false` the bundle and its map would cross into this process as buffers,
 * megabytes that an idle stack keeps until its next garbage collection.
 */
async function bundleNow(request: BundleRequest, output: string, manifest: string): Promise<string> {
  const staging = mkdtempSync(`${dirname(output)}.build-`);
  try {
    const staged = join(staging, basename(output));
    const result = await build({
      entryPoints: [request.entry],
      absWorkingDir: request.workingDir,
      bundle: true,
      platform: 'node',
      format: request.format,
      target: request.target,
      external: request.external,
      ...(request.mainFields ? { mainFields: request.mainFields } : {}),
      ...(request.banner ? { banner: { js: request.banner } } : {}),
      minify: false,
      // Linked, not inline: a container reads the map only when source maps are on (see worker-main.ts), and an
      // inline one would sit in every loaded script's source.
      sourcemap: 'linked',
      outfile: staged,
      write: true,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs: Inputs = Object.keys(result.metafile.inputs).flatMap((input) => {
      const path = resolve(request.workingDir, input);
      const stats = statSync(path, { throwIfNoEntry: false });
      return stats ? [[path, stats.mtimeMs, stats.size] as Inputs[number]] : [];
    });
    if (!existsSync(staged)) throw new Error(`esbuild wrote nothing for ${request.entry}`);
    if (existsSync(`${staged}.map`)) renameSync(`${staged}.map`, `${output}.map`);
    renameSync(staged, output);
    writeAtomically(manifest, JSON.stringify(inputs));
    return output;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Bundles an entry with esbuild as `sam build` would, into a temporary folder, and returns the output file.
 * The output is kept across stack starts (and processes) and reused while every input file keeps its mtime
 * and size, so that the many stacks a test run starts build each function once.
 */
export function bundle(request: BundleRequest, temporaryFolder: string = tmpdir()): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify({ ...request, esbuildVersion, node: process.version, temporaryFolder }))
    .digest('hex')
    .slice(0, 16);
  const existing = building.get(key);
  if (existing !== undefined) return existing;
  const name = basename(request.entry, extname(request.entry));
  let folder: string;
  try {
    folder = cacheDir(temporaryFolder);
    sweepLeftovers(folder);
  } catch (error) {
    return Promise.reject(error);
  }
  const output = join(folder, `${name}-${key}.${request.format === 'esm' ? 'mjs' : 'cjs'}`);
  const manifest = `${output}.inputs.json`;
  const cached = readManifest(manifest);
  const done =
    cached && statSync(output, { throwIfNoEntry: false }) && inputsUnchanged(cached)
      ? Promise.resolve(output)
      : bundleNow(request, output, manifest);
  const settled = (): void => {
    building.delete(key);
    // esbuild answers from a child process that stays up (about 20 MB) until stopped; a later build starts it again.
    if (building.size === 0) void stopEsbuild();
  };
  done.then(settled, settled);
  building.set(key, done);
  return done;
}
