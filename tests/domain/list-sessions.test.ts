import { InvalidFrameError } from '../../src/domain/errors';
import { listSessions } from '../../src/domain/use-cases/list-sessions';
import { createMemoryDependencies, type MemoryDependencies } from '../support/memory/create-memory-dependencies';

async function givenSessions(deps: MemoryDependencies, count: number, userAgent = 'jest'): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const at = new Date(Date.UTC(2026, 11, 1, 0, 0, index)).toISOString();
    await deps.sessions.record('u1', {
      connectionId: `c${index}=`,
      connectedAt: at,
      disconnectedAt: at,
      durationMs: 0,
      userAgent,
    });
  }
}

describe('listSessions', () => {
  it('pages newest first with the `before` of the next page, and none after the oldest', async () => {
    const deps = createMemoryDependencies();
    await givenSessions(deps, 5);

    const first = await listSessions(deps, 'u1', 2);
    const second = await listSessions(deps, 'u1', 2, first.next);
    const last = await listSessions(deps, 'u1', 2, second.next);

    expect([first, second, last].flatMap((page) => page.sessions.map((session) => session.connectionId))).toEqual([
      'c4=',
      'c3=',
      'c2=',
      'c1=',
      'c0=',
    ]);
    expect(last.next).toBeUndefined();
  });

  it('stops under 1 MB when the user agents are long', async () => {
    const deps = createMemoryDependencies();
    await givenSessions(deps, 300, 'M'.repeat(8000));

    const page = await listSessions(deps, 'u1', 1000);

    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(1024 * 1024);
    expect(page.sessions.length).toBeGreaterThan(100);
    expect(page.next).toBe(`${page.sessions.at(-1)?.disconnectedAt}~${page.sessions.at(-1)?.connectionId}`);
  });

  it.each([
    '',
    'yesterday',
    '2026-12-01T00:00:00.000Z',
    '2026-12-01T00:00:00.000Z~',
    '2026-12-01T00:00:00.000Z~CONN#x',
    'x~c1=',
  ])('refuses the cursor %j with invalid_frame', async (before) => {
    await expect(listSessions(createMemoryDependencies(), 'u1', 10, before)).rejects.toBeInstanceOf(InvalidFrameError);
  });
});
