/**
 * `npm run bench` (about 45 minutes on 2 cores, half of it the soak) or `npm run bench -- --quick` (about a minute): runs each
 * section against servers on 127.0.0.1 only, prints the tables and rewrites BENCHMARKS.md. A quick run's
 * numbers are too small to stand for the project: it writes BENCHMARKS.quick.md (ignored by git) instead,
 * unless `--write` asks for BENCHMARKS.md.
 * `--only=fanout,cost,coldstart,capacity,peers,soak,largefanout,bursts` runs some sections (BENCHMARKS.md is then not
 * rewritten, except the cost, peer, cold-start, soak, large-channel and burst sections when they ran: `npm run bench -- --only cost`, `--only peers`,
 * `--only coldstart`, `--only soak`, `--only largefanout`, `--only bursts`; the large-channel and burst sections only
 * from a run without `--quick`). `BURST_USERS=200x50 BURST_ROOMS=10,100` sizes the burst section for a short trial.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './lib/child-stack';
import { type Table, toText } from './lib/table';
import {
  BURSTS_HEADING,
  COST_HEADING,
  coldStartTargetRows,
  costTargetRows,
  LARGE_FAN_OUT_HEADING,
  machine,
  type Results,
  renderBursts,
  renderColdStart,
  renderCost,
  renderLargeFanOut,
  renderPeers,
  renderReport,
  renderSoak,
  targetsTable,
} from './report';
import { runBursts } from './sections/bursts';
import { runCapacity } from './sections/capacity';
import { runColdStart } from './sections/cold-start';
import { runCost } from './sections/cost';
import { runFanOut } from './sections/fan-out';
import { runLargeFanOut } from './sections/large-fan-out';
import { runPeers } from './sections/peers';
import { runSoak } from './sections/soak';
import { settingsFor } from './settings';

const SECTIONS = ['fanout', 'cost', 'coldstart', 'capacity', 'peers', 'soak', 'largefanout', 'bursts'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      write: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick ?? false;
  const only = values.only?.split(',').map((s) => s.trim()) as Section[] | undefined;
  const wanted = (section: Section): boolean => (only ? only.includes(section) : section !== 'peers' || !quick);
  const settings = settingsFor(quick);
  const flags = [...(quick ? ['--quick'] : []), ...(only ? ['--only', only.join(',')] : [])];
  const command = `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
  const started = Date.now();
  const results: Results = { quick, failures: [] };
  const show = (table: Table): void => console.log(`\n${toText(table)}\n`);

  console.log(`Switchboard bench (${quick ? 'quick' : 'full'}) on ${machine().summary}`);
  const section = async <T>(
    name: Section,
    label: string,
    run: () => Promise<T>,
    keep: (result: T) => void,
  ): Promise<void> => {
    if (!wanted(name)) return;
    const t0 = Date.now();
    console.log(`-- ${label} ...`);
    try {
      keep(await run());
      console.log(`-- ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.failures.push(`${label}: ${message}`);
      console.log(`-- ${label} FAILED: ${message}`);
    }
  };

  await section(
    'fanout',
    '1. fan-out',
    () => runFanOut(settings.fanOut),
    (r) => {
      results.fanOut = r;
      show(r.table);
    },
  );
  await section(
    'cost',
    '2. cost per operation',
    () => runCost(settings.cost),
    (r) => {
      results.cost = r;
      show(r.table);
    },
  );
  await section(
    'coldstart',
    '3. cold start',
    () => runColdStart(settings.coldStart),
    (r) => {
      results.coldStart = r;
      show(r.table);
    },
  );
  await section(
    'capacity',
    '4. local capacity',
    () => runCapacity(settings.capacity),
    (r) => {
      results.capacity = r;
      r.tables.forEach(show);
    },
  );
  await section(
    'peers',
    '5. peer comparison',
    () => runPeers(settings.peers),
    (r) => {
      results.peers = r;
      r.tables.forEach(show);
    },
  );
  await section(
    'soak',
    '6. soak',
    () => runSoak(settings.soak),
    (r) => {
      results.soak = r;
      show(r.table);
    },
  );

  await section(
    'largefanout',
    '7. publishing to large channels',
    () => runLargeFanOut(settings.largeFanOut),
    (r) => {
      results.largeFanOut = r;
      r.tables.forEach(show);
    },
  );

  await section(
    'bursts',
    '8. bursts of distinct new users',
    () => runBursts(settings.bursts),
    (r) => {
      results.bursts = r;
      r.tables.forEach(show);
    },
  );

  results.durationS = (Date.now() - started) / 1000;
  show(targetsTable(results, settings));
  const peersRan = results.peers !== undefined && !results.peers.skipped;
  // A quick run's large-channel numbers are too small to stand for the project: they are only printed.
  const largeFanOut = quick ? undefined : results.largeFanOut;
  const bursts = quick ? undefined : results.bursts;
  if (only && (peersRan || results.cost || results.soak || results.coldStart || largeFanOut || bursts)) {
    const path = join(PROJECT_ROOT, 'BENCHMARKS.md');
    const alone = { command, date: new Date().toISOString().slice(0, 10) };
    let page = readFileSync(path, 'utf8');
    if (results.cost) {
      page = withSection(page, COST_HEADING, renderCost(results.cost, alone));
      page = withTargetRows(page, isCostRow, costTargetRows(results.cost));
    }
    if (results.coldStart)
      page = withColdStart(page, renderColdStart(results.coldStart, alone), coldStartTargetRows(results.coldStart));
    if (results.peers && peersRan) {
      page = withPeerTargets(page, results.peers.targets ?? []);
      page = withSection(page, '## 5. Peer comparison', renderPeers(results.peers, alone));
    }
    if (results.soak) page = withSection(page, '## 6. Soak', renderSoak(results.soak, alone));
    if (largeFanOut) page = withSection(page, LARGE_FAN_OUT_HEADING, renderLargeFanOut(largeFanOut, alone));
    if (bursts) page = withSection(page, BURSTS_HEADING, renderBursts(bursts, alone));
    writeFileSync(path, page);
    formatMarkdown(path);
    console.log(
      '--only given: only the sections that ran (cost, cold start, peers, soak, large channels, bursts) of BENCHMARKS.md, and their rows in its targets table, rewritten.',
    );
  } else if (only) {
    console.log('--only given: BENCHMARKS.md left as it was.');
  } else {
    const file = quick && !values.write ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md';
    writeFileSync(join(PROJECT_ROOT, file), renderReport(results, settings, command));
    formatMarkdown(join(PROJECT_ROOT, file));
    console.log(`${file} written (${results.durationS.toFixed(0)} s).`);
  }
  process.exit(results.failures.length ? 1 : 0);
}

/** Aligns the page's tables as `npm run lint` expects, so that a bench run leaves the lint clean. */
function formatMarkdown(path: string): void {
  const biome = join(PROJECT_ROOT, 'node_modules', '.bin', 'biome');
  const formatted = spawnSync(biome, ['format', '--write', path], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (formatted.status !== 0) console.log(`biome could not format ${path}: ${formatted.stderr.trim()}`);
}

/** The page with the section that starts at `heading` (up to the next `## ` heading) replaced by `text`, or appended. */
function withSection(page: string, heading: string, text: string): string {
  const at = page.indexOf(`${heading}\n`);
  if (at < 0) return `${page.trimEnd()}\n\n${text}`;
  const next = page.indexOf('\n## ', at + heading.length);
  return `${page.slice(0, at)}${text}${next < 0 ? '' : `\n${page.slice(next + 1)}`}`;
}

/** The page with its section 3 replaced and its cold-start target rows replaced (the rows of earlier versions of the section too). */
function withColdStart(page: string, section: string, targets: string[][]): string {
  const isColdStartRow = (line: string): boolean =>
    /^\| (cold start:|every bundle under 300 KB|module init under 150 ms)/.test(line);
  return withTargetRows(withSection(page, '## 3. Cold start', section), isColdStartRow, targets);
}

const isCostRow = (line: string): boolean => /^\| (zero Scans in any operation|publish to N reads O\()/.test(line);

/** The page with the target rows `isRow` picks replaced by `targets`, where the first of them stood. */
function withTargetRows(page: string, isRow: (line: string) => boolean, targets: string[][]): string {
  const lines = page.split('\n');
  const first = lines.findIndex(isRow);
  if (first < 0) return page;
  const kept = lines.filter((line) => !isRow(line));
  kept.splice(first, 0, ...targets.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`));
  return kept.join('\n');
}

/** The page's summary of targets with its `peers:` rows replaced by this run's (so the page never disagrees with itself). */
function withPeerTargets(head: string, targets: string[][]): string {
  const lines = head.split('\n');
  const first = lines.findIndex((line) => line.startsWith('| peers:'));
  if (first < 0) return head;
  const rows = targets.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
  const kept = lines.filter((line) => !line.startsWith('| peers:'));
  kept.splice(first, 0, ...rows);
  return kept.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
