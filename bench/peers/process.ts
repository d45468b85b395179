/** Child processes for the peer comparison: each gateway alone in its own process group, its output in a log file. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import WebSocket from 'ws';
import { sleep } from '../lib/stats';

export interface Gateway {
  name: string;
  wsUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size (bytes) of a process and all its descendants, from /proc. */
export function treeRss(rootPid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true, rounds = 0; grew && rounds < 20; rounds += 1) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of tree) {
    try {
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Waits until a WebSocket handshake to `url` succeeds (the gateway is up), bounded by `timeoutMs`. */
export async function waitForWs(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${String(child.exitCode ?? child.signalCode)}) before it was ready`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(url, { handshakeTimeout: 2000 });
      socket.once('open', () => {
        socket.close();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('unexpected-response', () => {
        socket.terminate();
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s`);
}

/** The last `lines` non-empty lines of a log file, joined with ' / '. */
export function logTail(file: string, lines: number): string {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' / ');
}

/**
 * Starts `command args` in its own process group with stdout and stderr in `logFile`, and waits for `wsUrl`.
 * stop() sends SIGTERM to the group, then SIGKILL after 5 s.
 */
export async function startGateway(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; wsUrl: string; logFile: string; readyTimeoutMs: number },
): Promise<Gateway> {
  const fd = openSync(options.logFile, 'w');
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const pid = child.pid as number;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signal('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    }
    signal('SIGKILL');
  };
  try {
    await waitForWs(options.wsUrl, child, options.readyTimeoutMs);
  } catch (error) {
    await stop();
    const tail = logTail(options.logFile, 3);
    throw new Error(
      `${name}: ${error instanceof Error ? error.message : String(error)}; log: ${tail.slice(0, 400)} (${options.logFile})`,
    );
  }
  return { name, wsUrl: options.wsUrl, pid, logFile: options.logFile, stop };
}
