import type { Article, ArticleSource } from '../../domain/ports/article-source';
import type { ArticlePins } from './article-pins';
import { ArticleSourceError } from './article-source-error';

export interface WikipediaArticleSourceOptions {
  /** The page to read; redirects are followed ("Websocket" reads "WebSocket"). */
  title: string;
  /** A MediaWiki Action API endpoint with the TextExtracts extension, e.g. https://en.wikipedia.org/w/api.php. */
  apiUrl: string;
  /** Where the first fetched revision is pinned, so that every container streams the same text. */
  pins: ArticlePins;
  /** A fetch slower than this fails (the caller's invocation must not hang on Wikipedia). */
  timeoutMs?: number;
  /** Wikimedia asks API clients to identify themselves. */
  userAgent?: string;
  /**
   * After a failed load, later loads fail at once with the same error for this long (default 30 s), so that
   * while Wikipedia is down every `hello` does not wait for, and add, another fetch.
   */
  retryAfterMs?: number;
  /** The time, for the retry delay. */
  now?: () => number;
}

/**
 * The plain text of a Wikipedia page. It is fetched once, then pinned with its revision id, so a cursor
 * always points into the same text even after the page is edited: every later load (in this container,
 * or in any other) reads the pinned text, and only the first fetch anywhere is kept.
 */
export class WikipediaArticleSource implements ArticleSource {
  private article: Promise<Article> | undefined;
  private failedUntil: number | undefined;
  private readonly source: string;

  constructor(private readonly options: WikipediaArticleSourceOptions) {
    this.source = `wikipedia#${new URL(options.apiUrl).host}#${options.title}`;
  }

  load(): Promise<Article> {
    const now = this.options.now ?? Date.now;
    if (this.failedUntil !== undefined && now() >= this.failedUntil) {
      this.article = undefined;
      this.failedUntil = undefined;
    }
    this.article ??= this.pinned().catch((error: unknown) => {
      this.failedUntil = now() + (this.options.retryAfterMs ?? 30_000);
      throw error;
    });
    return this.article;
  }

  private async pinned(): Promise<Article> {
    return (
      (await this.options.pins.get(this.source)) ?? this.options.pins.pinFirst(this.source, await this.fetchArticle())
    );
  }

  private async fetchArticle(): Promise<Article> {
    const url = new URL(this.options.apiUrl);
    url.search = new URLSearchParams({
      action: 'query',
      prop: 'extracts|revisions',
      explaintext: '1',
      rvprop: 'ids',
      redirects: '1',
      titles: this.options.title,
      format: 'json',
      formatversion: '2',
    }).toString();
    const where = `${url.host} "${this.options.title}"`;
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    let response: Response;
    let raw: string;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'application/json',
          'user-agent': this.options.userAgent ?? 'Switchboard/0.1 (tele-read article source)',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      raw = await response.text();
    } catch (error) {
      // Checked by name: fetch's errors come from another realm under some runtimes (jest's vm).
      if (nameOf(error) === 'TimeoutError') {
        throw new ArticleSourceError(`Wikipedia did not answer within ${timeoutMs} ms for ${where}.`, { cause: error });
      }
      throw new ArticleSourceError(`Could not reach Wikipedia for ${where}.`, { cause: error });
    }
    if (!response.ok) throw new ArticleSourceError(`Wikipedia answered HTTP ${response.status} for ${where}.`);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      throw new ArticleSourceError(`Wikipedia answered something that is not JSON for ${where}.`, { cause: error });
    }
    return articleFrom(body, where);
  }
}

/** Reads a `formatversion=2` answer: `{query: {pages: [{title, extract, revisions: [{revid}]}]}}`. */
function articleFrom(body: unknown, where: string): Article {
  const apiError = field(body, 'error');
  if (apiError !== undefined) {
    throw new ArticleSourceError(
      `Wikipedia refused the query for ${where}: ${String(field(apiError, 'code'))}: ${String(field(apiError, 'info'))}.`,
    );
  }
  const pages = field(field(body, 'query'), 'pages');
  const page: unknown = Array.isArray(pages) && pages.length === 1 ? pages[0] : undefined;
  if (page === undefined) throw new ArticleSourceError(`Wikipedia answered without exactly one page for ${where}.`);
  if (field(page, 'missing') === true) throw new ArticleSourceError(`Wikipedia has no page ${where}.`);
  if (field(page, 'invalid') === true) {
    throw new ArticleSourceError(
      `Wikipedia says the title ${where} is invalid: ${String(field(page, 'invalidreason'))}.`,
    );
  }
  const title = field(page, 'title');
  const extract = field(page, 'extract');
  const revisions = field(page, 'revisions');
  const revid = Array.isArray(revisions) ? field(revisions[0], 'revid') : undefined;
  if (typeof title !== 'string' || typeof extract !== 'string' || typeof revid !== 'number') {
    throw new ArticleSourceError(`Wikipedia answered without a title, text or revision id for ${where}.`);
  }
  if (extract.trim() === '') throw new ArticleSourceError(`Wikipedia has no plain text for ${where}.`);
  return { title, revision: `wikipedia-${revid}`, text: extract };
}

function nameOf(error: unknown): unknown {
  return field(error, 'name');
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
