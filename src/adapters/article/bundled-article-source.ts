import type { Article, ArticleSource } from '../../domain/ports/article-source';
import { WEBSOCKET_ARTICLE } from './websocket-article';

/** The article that ships with Switchboard: the default, and what the local stack reads. */
export class BundledArticleSource implements ArticleSource {
  async load(): Promise<Article> {
    return WEBSOCKET_ARTICLE;
  }
}
