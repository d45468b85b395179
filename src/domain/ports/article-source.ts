/** A text to tele-read. `revision` pins the exact text so that a saved cursor always points into it. */
export interface Article {
  title: string;
  revision: string;
  text: string;
}

/** Where the tele-read article comes from (a bundled file, Wikipedia, ...). Loaded once and cached. */
export interface ArticleSource {
  load(): Promise<Article>;
}
