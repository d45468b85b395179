import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackProcessOptions } from '../stack-process';
import type { Counts } from './counting-proxy';
import type { LocalCostProbeRequest, LocalCostProbeResult } from './local-cost-probe';
import { withTimeout } from './stats';

export interface StackUrls {
  wsUrl: string;
  httpUrl: string;
  connectionsUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  stage: string;
}

export interface StackCounts {
  dynamodb: Counts | null;
  connections: Counts | null;
  /** Lines the stack logged since the last call (handler failures, socket errors). */
  log: string[];
}

export interface ChildStack extends StackUrls {
  pid: number;
  /** Resident set size of the stack process alone (from /proc). */
  rss(): number;
  counts(): Promise<StackCounts>;
  reset(): Promise<void>;
  /** `process.memoryUsage()` of the stack process right after a full garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Runs bench/lib/local-cost-probe.ts inside the stack's process. */
  probe(request: LocalCostProbeRequest): Promise<LocalCostProbeResult>;
  /** Waits until both proxies have been idle for `quietMs`. */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const PROJECT_ROOT = join(__dirname, '..', '..');

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Forks a TypeScript entry under tsx's loader with IPC, and waits for its `ready` message. */
export async function forkTs(
  entry: string,
  args: string[],
  timeoutMs = 30_000,
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; ready: unknown }> {
  const child = fork(entry, args, {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await withTimeout(
    new Promise<unknown>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${entry} exited with ${String(code)} before it was ready`)));
      const onMessage = (message: unknown): void => {
        const m = message as { ready?: unknown; failed?: string };
        if (m.failed) reject(new Error(m.failed));
        else if (m.ready) {
          child.off('message', onMessage);
          resolve(m.ready);
        }
      };
      child.on('message', onMessage);
    }),
    timeoutMs,
    `${entry} to start`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  child.removeAllListeners('exit');
  return { child, ready };
}

/** Starts Switchboard's local stack (from template.yaml) in a child process. */
export async function startChildStack(options: Partial<StackProcessOptions> = {}): Promise<ChildStack> {
  const full: StackProcessOptions = {
    connectionsLatencyMs: options.connectionsLatencyMs ?? 0,
    env: options.env ?? {},
    countDynamo: options.countDynamo ?? false,
    countConnections: options.countConnections ?? false,
  };
  const { child, ready } = await forkTs(join(__dirname, '..', 'stack-process.ts'), [JSON.stringify(full)], 30_000, [
    '--expose-gc',
  ]);
  let nextId = 1;
  const call = <T>(message: Record<string, unknown>, timeoutMs = 30_000): Promise<T> => {
    const id = nextId++;
    return withTimeout(
      new Promise<T>((resolve) => {
        const onMessage = (reply: unknown): void => {
          if ((reply as { id?: number }).id !== id) return;
          child.off('message', onMessage);
          resolve(reply as T);
        };
        child.on('message', onMessage);
        child.send({ ...message, id });
      }),
      timeoutMs,
      `stack ${String(message.cmd)}`,
    );
  };
  const pid = child.pid as number;
  return {
    ...(ready as StackUrls),
    pid,
    rss: () => rssOf(pid),
    counts: () => call<StackCounts>({ cmd: 'counts' }),
    memory: () => call<NodeJS.MemoryUsage>({ cmd: 'memory' }),
    reset: async () => {
      await call({ cmd: 'reset' });
    },
    probe: async (request) => {
      const { id: _id, ...measured } = await call<LocalCostProbeResult & { id: number }>(
        { cmd: 'probe', ...request },
        120_000,
      );
      return measured;
    },
    settle: async (quietMs = 150, timeoutMs = 20_000) => {
      await call({ cmd: 'settle', quietMs, timeoutMs }, timeoutMs + 5000);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call({ cmd: 'stop' }, 20_000).catch(() => child.kill('SIGKILL'));
      await withTimeout(exited, 10_000, 'stack exit').catch(() => child.kill('SIGKILL'));
    },
  };
}
