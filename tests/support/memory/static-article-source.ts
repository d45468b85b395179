import type { Article, ArticleSource } from '../../../src/domain/ports/article-source';

/** A fixed article; `loads` counts how often the domain asked for it. */
export class StaticArticleSource implements ArticleSource {
  loads = 0;
  private readonly article: Article;

  constructor(article: Partial<Article> = {}) {
    this.article = {
      title: article.title ?? 'Test article',
      revision: article.revision ?? 'rev-1',
      text: article.text ?? 'The quick brown fox jumps over the lazy dog.',
    };
  }

  async load(): Promise<Article> {
    this.loads += 1;
    return { ...this.article };
  }
}
