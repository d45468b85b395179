import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArticleSourceError } from '../../src/adapters/article/article-source-error';
import { WikipediaArticleSource } from '../../src/adapters/article/wikipedia-article-source';
import { DynamoDbArticlePins } from '../../src/adapters/dynamodb/dynamodb-article-pins';
import { type EmbeddedTable, startEmbeddedTable } from '../support/embedded-table';

/** What the fake MediaWiki API answers next; tests change it between loads. */
interface FakeWiki {
  status: number;
  /** The JSON answer, or a function that makes a new one per request. */
  body: unknown;
  raw?: string;
  delayMs: number;
  requests: URL[];
}

const page = (title: string, extract: string, revid: number) => ({
  batchcomplete: true,
  query: { pages: [{ pageid: 42, ns: 0, title, extract, revisions: [{ revid, parentid: revid - 1 }] }] },
});

let embedded: EmbeddedTable;
let server: Server;
let apiUrl: string;
let wiki: FakeWiki;
let titles = 0;

function source(title: string, options: { timeoutMs?: number; retryAfterMs?: number; now?: () => number } = {}) {
  return new WikipediaArticleSource({ title, apiUrl, pins: new DynamoDbArticlePins(embedded.table), ...options });
}

/** A title of its own per test, since the table (and so every pin) is shared by the file. */
function freshTitle(): string {
  titles += 1;
  return `WebSocket ${titles}`;
}

beforeAll(async () => {
  embedded = await startEmbeddedTable();
  server = createServer((request, response) => {
    wiki.requests.push(new URL(request.url ?? '/', 'http://localhost'));
    setTimeout(() => {
      response.writeHead(wiki.status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(wiki.raw ?? JSON.stringify(typeof wiki.body === 'function' ? wiki.body() : wiki.body));
    }, wiki.delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w/api.php`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await embedded.stop();
});
beforeEach(() => {
  wiki = { status: 200, body: {}, delayMs: 0, requests: [] };
});

describe('WikipediaArticleSource', () => {
  it('reads the plain text and revision id of the page from the MediaWiki API', async () => {
    const title = freshTitle();
    wiki.body = page(title, 'A WebSocket is a two-way channel.', 1001);

    const article = await source(title).load();

    expect(article).toEqual({ title, revision: 'wikipedia-1001', text: 'A WebSocket is a two-way channel.' });
    const query = Object.fromEntries(wiki.requests[0]?.searchParams ?? []);
    expect(wiki.requests[0]?.pathname).toBe('/w/api.php');
    expect(query).toMatchObject({
      action: 'query',
      prop: 'extracts|revisions',
      explaintext: '1',
      rvprop: 'ids',
      redirects: '1',
      titles: title,
      format: 'json',
      formatversion: '2',
    });
  });

  it('keeps the first revision fetched, in every container, after the page has changed', async () => {
    const title = freshTitle();
    wiki.body = page(title, 'The first text.', 1);
    const firstContainer = await source(title).load();

    wiki.body = page(title, 'An edited text, longer than the first.', 2);
    const secondContainer = await source(title).load();

    expect(secondContainer).toEqual(firstContainer);
    expect(secondContainer).toMatchObject({ revision: 'wikipedia-1', text: 'The first text.' });
    expect(wiki.requests).toHaveLength(1);
  });

  it('lets the first writer win when two containers fetch different revisions at once', async () => {
    const title = freshTitle();
    let revid = 10;
    wiki.body = () => {
      revid += 1;
      return page(title, `Text of revision ${revid}.`, revid);
    };

    const [a, b, c] = await Promise.all([source(title).load(), source(title).load(), source(title).load()]);

    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('loads once per container', async () => {
    const title = freshTitle();
    wiki.body = page(title, 'Once.', 7);
    const article = source(title);

    await Promise.all([article.load(), article.load()]);
    await article.load();

    expect(wiki.requests).toHaveLength(1);
  });

  it('fails clearly for a missing page, and pins nothing', async () => {
    const title = freshTitle();
    wiki.body = { batchcomplete: true, query: { pages: [{ ns: 0, title, missing: true }] } };

    await expect(source(title).load()).rejects.toThrow(
      new ArticleSourceError(`Wikipedia has no page 127.0.0.1:${new URL(apiUrl).port} "${title}".`),
    );

    wiki.body = page(title, 'Created since.', 3);
    await expect(source(title).load()).resolves.toMatchObject({ revision: 'wikipedia-3' });
  });

  it('fails at once for a while after a failure, then tries again', async () => {
    const title = freshTitle();
    let time = 1_000;
    const article = source(title, { retryAfterMs: 30_000, now: () => time });
    wiki.status = 503;
    wiki.raw = 'Service Unavailable';
    await expect(article.load()).rejects.toThrow(/HTTP 503/);

    wiki.status = 200;
    delete wiki.raw;
    wiki.body = page(title, 'Back again.', 4);
    time += 29_999;
    await expect(article.load()).rejects.toThrow(/HTTP 503/);

    time += 1;
    await expect(article.load()).resolves.toMatchObject({ text: 'Back again.' });
  });

  it.each([
    ['an answer that is not JSON', { raw: '<html>maintenance</html>' }, /not JSON/],
    [
      'an API error',
      { body: { error: { code: 'badvalue', info: 'Unrecognized value' } } },
      /refused the query.*badvalue/,
    ],
    [
      'an invalid title',
      { body: { query: { pages: [{ title: 'a|b', invalidreason: 'illegal character', invalid: true }] } } },
      /invalid: illegal character/,
    ],
    ['no pages', { body: { batchcomplete: true } }, /exactly one page/],
    ['a page without a revision', { body: { query: { pages: [{ title: 'X', extract: 'text' }] } } }, /revision id/],
    ['an empty text', { body: page('X', '  ', 5) }, /no plain text/],
  ])('refuses %s', async (_case, answer: Partial<FakeWiki>, message) => {
    Object.assign(wiki, answer);

    const failure = source(freshTitle()).load();

    await expect(failure).rejects.toBeInstanceOf(ArticleSourceError);
    await expect(failure).rejects.toThrow(message);
  });

  it('gives up after the timeout', async () => {
    const title = freshTitle();
    wiki.body = page(title, 'Too slow.', 6);
    wiki.delayMs = 1000;

    await expect(source(title, { timeoutMs: 50 }).load()).rejects.toThrow(/did not answer within 50 ms/);
  });

  it('refuses a text over the 400 KB item limit before writing it', async () => {
    const title = freshTitle();
    wiki.body = page(title, 'x'.repeat(401 * 1024), 8);

    await expect(source(title).load()).rejects.toThrow(/KB, over DynamoDB's 400 KB item limit/);
    expect(
      await new DynamoDbArticlePins(embedded.table).get(`wikipedia#${new URL(apiUrl).host}#${title}`),
    ).toBeUndefined();
  });
});
