import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { TestClient } from './support/test-client';

const FIRST =
  'WebSocket is a computer communications protocol, providing a full-duplex channel over one TCP connection.';
const EDITED = 'WebSocket (edited): a protocol that this test must never read, since the first revision is pinned.';

let wiki: Server;
let answer = { text: FIRST, revid: 1_000 };
let apiHost = '';
let e2e: E2eStack;

beforeAll(async () => {
  // A MediaWiki Action API that answers formatversion=2 queries, in place of Wikipedia.
  wiki = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        batchcomplete: true,
        query: {
          pages: [{ pageid: 1, ns: 0, title: 'WebSocket', extract: answer.text, revisions: [{ revid: answer.revid }] }],
        },
      }),
    );
  });
  wiki.listen(0, '127.0.0.1');
  await once(wiki, 'listening');
  apiHost = `127.0.0.1:${(wiki.address() as AddressInfo).port}`;
  e2e = await startE2eStack(
    { FEED_CHUNK_SIZE: '7' },
    { ArticleSource: 'wikipedia', WikipediaTitle: 'WebSocket', WikipediaApiUrl: `http://${apiHost}/w/api.php` },
  );
});
afterAll(async () => {
  await e2e.stop();
  wiki.closeAllConnections();
  wiki.close();
});

async function readAll(client: TestClient): Promise<string> {
  client.send({ action: 'teleread' });
  await client.next((frame) => frame.type === 'feed-end', 10_000);
  return client
    .ofType('feed')
    .map((frame) => String(frame.text))
    .join('');
}

describe('tele-read from Wikipedia (ArticleSource=wikipedia)', () => {
  it('streams the page’s plain text, and keeps streaming the revision first read after the page changes', async () => {
    const first = await e2e.connect();
    const session = await first.session();
    const firstText = await readAll(first);

    answer = { text: EDITED, revid: 1_001 };
    const later = await e2e.connect();
    const laterSession = await later.session();
    const laterText = await readAll(later);

    expect(session.total).toBe([...FIRST].length);
    expect(firstText).toBe(FIRST);
    expect(laterSession.total).toBe([...FIRST].length);
    expect(laterText).toBe(FIRST);
    expect(await e2e.partition(`ARTICLE#wikipedia#${apiHost}#WebSocket`)).toEqual([
      expect.objectContaining({ sk: 'PINNED', revision: 'wikipedia-1000', text: FIRST }),
    ]);
  });
});
