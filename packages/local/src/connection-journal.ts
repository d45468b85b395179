import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { ConnectionIdentity } from './websocket-events';

/**
 * The connections the gateway has accepted a handshake for and not yet ended, kept in the data folder, as
 * API Gateway itself knows its connections. A stack that dies without closing its sockets (kill -9, a crash)
 * leaves some behind; the next start on the same folder runs `$disconnect` for each, since none of its
 * sockets survived. So no restart needs a Scan of the app's table for stale connections.
 */
export interface ConnectionJournal {
  /** Before `$connect` runs: from then on the connection may have records that `$disconnect` must remove. */
  opened(identity: ConnectionIdentity): void;
  /** After `$disconnect` ran, or when `$connect` refused the handshake. */
  ended(connectionId: string): void;
  /** The connections a previous process left open, as they were when this journal was opened. */
  leftOpen(): ConnectionIdentity[];
  close(): void;
}

type Entry = { op: 'open'; connection: ConnectionIdentity } | { op: 'end'; connectionId: string };

/** Rewrites the file with only the open connections once it holds this many more lines than open ones. */
const COMPACT_AFTER_LINES = 1000;

function parseLines(text: string): Map<string, ConnectionIdentity> {
  const open = new Map<string, ConnectionIdentity>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      continue; // the line a killed process was writing; whichever it was, the next start ends that connection or never saw it
    }
    if (entry.op === 'open') open.set(entry.connection.connectionId, entry.connection);
    else open.delete(entry.connectionId);
  }
  return open;
}

const openLine = (connection: ConnectionIdentity): string => `${JSON.stringify({ op: 'open', connection })}\n`;

/**
 * A journal in `path`: one JSON line per event, appended with a synchronous write so that it is in the file
 * (the kernel's page cache) before `$connect` runs, and survives the process being killed right after.
 */
export function openConnectionJournal(path: string): ConnectionJournal {
  const open = existsSync(path) ? parseLines(readFileSync(path, 'utf8')) : new Map<string, ConnectionIdentity>();
  const leftOpen = [...open.values()];
  let fd = -1;
  let lines = 0;
  const compact = (): void => {
    if (fd !== -1) closeSync(fd);
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, [...open.values()].map(openLine).join(''));
    renameSync(temporary, path);
    fd = openSync(path, 'a');
    lines = open.size;
  };
  const append = (line: string): void => {
    if (fd === -1) return;
    writeSync(fd, line);
    lines += 1;
    if (lines > open.size + COMPACT_AFTER_LINES) compact();
  };
  compact();
  return {
    opened(connection) {
      open.set(connection.connectionId, connection);
      append(openLine(connection));
    },
    ended(connectionId) {
      if (!open.delete(connectionId)) return;
      append(`${JSON.stringify({ op: 'end', connectionId })}\n`);
    },
    leftOpen: () => leftOpen,
    close() {
      if (fd !== -1) closeSync(fd);
      fd = -1;
    },
  };
}

/** For a stack that keeps nothing across restarts (no data folder): nothing can be left open. */
export const inMemoryConnectionJournal: ConnectionJournal = {
  opened: () => undefined,
  ended: () => undefined,
  leftOpen: () => [],
  close: () => undefined,
};
