import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnectionJournal } from '../../src/local/connection-journal';
import type { ConnectionIdentity } from '../../src/local/websocket-events';

const folder = mkdtempSync(join(tmpdir(), 'switchboard-journal-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let file = 0;
const path = (): string => join(folder, `journal-${(file += 1)}.jsonl`);
const connection = (n: number): ConnectionIdentity => ({
  connectionId: `conn-${n}=`, connectedAt: 1_700_000_000_000 + n, sourceIp: '127.0.0.1', userAgent: `agent ${n}`,
});

describe('the journal of open connections', () => {
  it('gives the next process the connections that were opened and never ended, with their identity', () => {
    const at = path();
    const first = openConnectionJournal(at);
    [1, 2, 3].forEach((n) => first.opened(connection(n)));
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
    second.leftOpen().forEach((c) => second.ended(c.connectionId));
    second.close();

    expect(openConnectionJournal(at).leftOpen()).toEqual([]);
  });
});
