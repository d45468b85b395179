/**
 * The article could not be loaded: the source is unreachable or slow, answered something unexpected,
 * has no such page, or the text cannot be pinned. The message names the source and what went wrong;
 * it is for the logs (a client only ever sees `internal`).
 */
export class ArticleSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArticleSourceError';
  }
}
