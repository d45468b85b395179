import type { Article } from '../../domain/ports/article-source';

/**
 * Where a fetched article is pinned so that every container and worker reads the same revision: the
 * first writer wins, and later fetches (of a text that may have changed since) are thrown away.
 */
export interface ArticlePins {
  /** The pinned article of `source`, if any. */
  get(source: string): Promise<Article | undefined>;
  /** Pins `article` unless `source` already has one; returns whichever is pinned afterwards. */
  pinFirst(source: string, article: Article): Promise<Article>;
}
