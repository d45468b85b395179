import type { Table } from '../lib/table';

export interface PeerSettings {
  clients: number;
  runs: number;
}

export interface PeerSummary {
  tables: Table[];
  /** Rows for the targets table: target, measured, verdict. */
  targets?: string[][];
  skipped?: string;
}

/** Section 5 (peer comparison): filled in below once sections 1 to 4 work. */
export async function runPeers(_settings: PeerSettings): Promise<PeerSummary> {
  return { tables: [], skipped: 'not implemented yet' };
}
