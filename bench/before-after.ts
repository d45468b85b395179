/**
 * The local stack at an earlier commit and now, side by side in one run, on the peer comparison's app
 * (bench/peers/apps.ts): connects/s of 1,000 clients in batches of 100, RSS of the stack's process tree idle
 * (after one warm-up connection) and with the clients, and the median of 5 fan-outs of one frame to all of them.
 * Rounds alternate between the two, so that both meet the same load.
 *
 *   npx tsx bench/before-after.ts <commit> [rounds=3] [clients=1000]
 *
 * The earlier commit is checked out into a temporary git worktree that shares this checkout's node_modules.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROJECT_ROOT } from './lib/child-stack';

interface Row {
  label: string;
  connected: number;
  connectsPerSecond: number;
  idleMb: number;
  loadedMb: number;
  fanOutMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS of a process and its descendants, in MB, from /proc (Linux). */
function rssTree(pid: number): number {
  const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // The process is gone.
  }
  return own + children.reduce((sum, child) => sum + rssTree(Number(child)), 0);
}

async function measure(root: string, label: string, clients: number): Promise<Row> {
  const apps = require(join(root, 'bench', 'peers', 'apps.ts')) as {
    writeSwitchboardApp: (dir: string, wsPort: number) => { templatePath: string };
  };
  const dir = join(tmpdir(), `switchboard-before-after-${label}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const { templatePath } = apps.writeSwitchboardApp(dir, port);
  const child = fork(
    join(root, 'bench', 'peers', 'switchboard-app-process.ts'),
    [JSON.stringify({ projectRoot: dir, templatePath, wsPort: port })],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'], cwd: root },
  );
  await new Promise<void>((ready) => child.stdout?.on('data', (data) => String(data).includes('ready') && ready()));
  const url = `ws://localhost:${port}/dev`;
  const open = (): Promise<WebSocket | null> =>
    new Promise((resolve) => {
      const socket = new WebSocket(url);
      socket.on('open', () => resolve(socket));
      socket.on('error', () => resolve(null));
    });
  (await open())?.close();
  await sleep(1000);
  const idleMb = rssTree(child.pid as number);
  const sockets: WebSocket[] = [];
  const started = performance.now();
  for (let batch = 0; batch < clients / 100; batch++)
    for (const socket of await Promise.all(Array.from({ length: 100 }, open))) if (socket) sockets.push(socket);
  const connectsPerSecond = (sockets.length / (performance.now() - started)) * 1000;
  await sleep(1000);
  const loadedMb = rssTree(child.pid as number);
  const fanOuts: number[] = [];
  for (let run = 0; run < 5; run++) {
    const sent = performance.now();
    let received = 0;
    await new Promise<void>((done) => {
      for (const socket of sockets) socket.once('message', () => ++received === sockets.length && done());
      sockets[0]?.send(`frame ${run}`);
      setTimeout(done, 30_000);
    });
    fanOuts.push(performance.now() - sent);
    await sleep(300);
  }
  fanOuts.sort((a, b) => a - b);
  for (const socket of sockets) socket.terminate();
  child.kill('SIGTERM');
  await new Promise((exited) => child.once('exit', exited));
  rmSync(dir, { recursive: true, force: true });
  return { label, connected: sockets.length, connectsPerSecond, idleMb, loadedMb, fanOutMs: fanOuts[2] ?? Number.NaN };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const [commit, roundsArg, clientsArg] = process.argv.slice(2);
  if (!commit) throw new Error('usage: npx tsx bench/before-after.ts <commit> [rounds] [clients]');
  const rounds = Number(roundsArg ?? 3);
  const clients = Number(clientsArg ?? 1000);
  const before = join(tmpdir(), `switchboard-before-${commit}`);
  if (!existsSync(before)) {
    execFileSync('git', ['worktree', 'add', '--detach', before, commit], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(before, 'node_modules'));
  }
  const rows: Row[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [root, label] of [
      [before, 'before'],
      [PROJECT_ROOT, 'now'],
    ] as const) {
      const row = await measure(root, label, clients);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  const of = (label: string, key: keyof Omit<Row, 'label'>): number =>
    median(rows.filter((row) => row.label === label).map((row) => row[key]));
  console.log(`\n| ${commit} vs now, ${rounds} rounds each, ${clients} clients | before | now | now / before |`);
  console.log('| --- | --- | --- | --- |');
  const line = (name: string, key: keyof Omit<Row, 'label'>, unit: string, digits: number): void => {
    const [b, n] = [of('before', key), of('now', key)];
    console.log(
      `| ${name} (median) | ${b.toFixed(digits)} ${unit} | ${n.toFixed(digits)} ${unit} | ${(n / b).toFixed(2)}x |`,
    );
  };
  line('connects/s (batches of 100)', 'connectsPerSecond', '/s', 0);
  line('RSS idle', 'idleMb', 'MB', 1);
  line(`RSS with ${clients} clients`, 'loadedMb', 'MB', 1);
  line('fan-out of one frame', 'fanOutMs', 'ms', 0);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
