import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnectionJournal } from '../../packages/local/src/connection-journal';
import type { ConnectionIdentity } from '../../packages/local/src/websocket-events';

const folder = mkdtempSync(join(tmpdir(), 'switchboard-journal-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let file = 0;
const path = (): string => {
  file += 1;
  return join(folder, `journal-${file}.jsonl`);
};
const connection = (n: number): ConnectionIdentity => ({
  connectionId: `conn-${n}=`,
  connectedAt: 1_700_000_000_000 + n,
  sourceIp: '127.0.0.1',
  userAgent: `agent ${n}`,
});

describe('the journal of open connections', () => {
  it('gives the next process the connections that were opened and never ended, with their identity', () => {
    const at = path();
    const first = openConnectionJournal(at);
    for (const n of [1, 2, 3]) first.opened(connection(n));
    first.ended('conn-2=');
    // no close(): the process is killed

    const second = openConnectionJournal(at);

    expect(second.leftOpen()).toEqual([connection(1), connection(3)]);
    second.close();
  });

  it('ignores a line the killed process was still writing', () => {
    const at = path();
    const first = openConnectionJournal(at);
    first.opened(connection(1));
    first.close();
    appendFileSync(at, '{"op":"open","connection":{"connectionId":"half');

    expect(openConnectionJournal(at).leftOpen()).toEqual([connection(1)]);
  });

  it('keeps its file to the open connections plus a bounded tail, however many connections come and go', () => {
    const at = path();
    const journal = openConnectionJournal(at);
    journal.opened(connection(0));
    for (let n = 1; n <= 5000; n += 1) {
      journal.opened(connection(n));
      journal.ended(`conn-${n}=`);
    }
    journal.close();

    expect(readFileSync(at, 'utf8').split('\n').length).toBeLessThan(1100);
    expect(openConnectionJournal(at).leftOpen()).toEqual([connection(0)]);
  });

  it('starts empty once the connections left open have been ended', () => {
    const at = path();
    const first = openConnectionJournal(at);
    first.opened(connection(1));
    const second = openConnectionJournal(at);
    for (const c of second.leftOpen()) second.ended(c.connectionId);
    second.close();

    expect(openConnectionJournal(at).leftOpen()).toEqual([]);
  });
});
