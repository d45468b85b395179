/**
 * `npm run bench` (about 10 minutes on 2 cores) or `npm run bench -- --quick` (under a minute): runs each
 * section against servers on 127.0.0.1 only, prints the tables and rewrites BENCHMARKS.md. A quick run's
 * numbers are too small to stand for the project: it writes BENCHMARKS.quick.md (ignored by git) instead,
 * unless `--write` asks for BENCHMARKS.md.
 * `--only=fanout,cost,coldstart,capacity,peers,largefanout` runs some sections (BENCHMARKS.md is then not rewritten,
 * except the peer section or the large-channel section when they ran alone: `npm run bench -- --only largefanout`).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './lib/child-stack';
import { toText, type Table } from './lib/table';
import { LARGE_FAN_OUT_HEADING, machine, renderLargeFanOut, renderPeers, renderReport, targetsTable, type Results } from './report';
import { runCapacity } from './sections/capacity';
import { runColdStart } from './sections/cold-start';
import { runCost } from './sections/cost';
import { runFanOut } from './sections/fan-out';
import { runLargeFanOut } from './sections/large-fan-out';
import { runPeers } from './sections/peers';
import { settingsFor } from './settings';

const SECTIONS = ['fanout', 'cost', 'coldstart', 'capacity', 'peers', 'largefanout'] as const;
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
  const section = async <T>(name: Section, label: string, run: () => Promise<T>, keep: (result: T) => void): Promise<void> => {
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

  await section('fanout', '1. fan-out', () => runFanOut(settings.fanOut), (r) => {
    results.fanOut = r;
    show(r.table);
  });
  await section('cost', '2. cost per operation', () => runCost(settings.cost), (r) => {
    results.cost = r;
    show(r.table);
  });
  await section('coldstart', '3. cold start', () => runColdStart(settings.coldStart), (r) => {
    results.coldStart = r;
    show(r.table);
  });
  await section('capacity', '4. local capacity', () => runCapacity(settings.capacity), (r) => {
    results.capacity = r;
    r.tables.forEach(show);
  });
  await section('peers', '5. peer comparison', () => runPeers(settings.peers), (r) => {
    results.peers = r;
    r.tables.forEach(show);
  });

  await section('largefanout', '6. publishing to large channels', () => runLargeFanOut(settings.largeFanOut), (r) => {
    results.largeFanOut = r;
    r.tables.forEach(show);
  });

  results.durationS = (Date.now() - started) / 1000;
  show(targetsTable(results, settings));
  if (only?.length === 1 && only[0] === 'largefanout' && results.largeFanOut && !quick) {
    const path = join(PROJECT_ROOT, 'BENCHMARKS.md');
    const current = readFileSync(path, 'utf8');
    const at = current.indexOf(LARGE_FAN_OUT_HEADING);
    const head = at >= 0 ? current.slice(0, at) : `${current.trimEnd()}\n\n`;
    writeFileSync(path, `${head}${renderLargeFanOut(results.largeFanOut, { command, date: new Date().toISOString().slice(0, 10) })}`);
    console.log('--only largefanout: only the large-channel section of BENCHMARKS.md rewritten.');
  } else if (only && results.peers && !results.peers.skipped) {
    const path = join(PROJECT_ROOT, 'BENCHMARKS.md');
    const current = readFileSync(path, 'utf8');
    const at = current.indexOf('## 5. Peer comparison');
    const after = current.indexOf(LARGE_FAN_OUT_HEADING);
    const head = withPeerTargets(at >= 0 ? current.slice(0, at) : `${current.trimEnd()}\n\n`, results.peers.targets ?? []);
    const tail = after > at && at >= 0 ? `\n${current.slice(after)}` : '';
    const alone = { command, date: new Date().toISOString().slice(0, 10) };
    writeFileSync(path, `${head}${renderPeers(results.peers, alone)}${tail}`);
    console.log('--only given: only the peer section of BENCHMARKS.md and its rows in the targets table rewritten.');
  } else if (only) {
    console.log('--only given: BENCHMARKS.md left as it was.');
  } else {
    const file = quick && !values.write ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md';
    writeFileSync(join(PROJECT_ROOT, file), renderReport(results, settings, command));
    console.log(`${file} written (${results.durationS.toFixed(0)} s).`);
  }
  process.exit(results.failures.length ? 1 : 0);
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
