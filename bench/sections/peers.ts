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

/**
 * Section 5, the peer comparison with serverless-offline and Architect's sandbox (installed into a temporary
 * folder with `npm install --prefix`): not written yet, so the full run reports it as skipped.
 */
export async function runPeers(_settings: PeerSettings): Promise<PeerSummary> {
  return {
    tables: [],
    skipped: 'the peer comparison (serverless@3 with serverless-offline@13, @architect/sandbox@8) is not implemented yet; no peer was installed or measured.',
  };
}
