import type { Article } from './ports/article-source';

/** A saved cursor, and the article revision it counts characters of. */
export interface SavedPosition {
  cursor: number;
  revision?: string | undefined;
}

/**
 * Whether a saved cursor points into `article`. A cursor counted in another revision would resume
 * into different text, so it does not; one saved before revisions were kept (no revision) is taken
 * to count in the article as it is now.
 */
export function countsIn(saved: SavedPosition, article: Article): boolean {
  return saved.revision === undefined || saved.revision === article.revision;
}

/** Where the feed of a user resumes in `article`: the saved cursor, or 0 when it counts another revision. */
export function resumePosition(saved: SavedPosition, article: Article): number {
  return countsIn(saved, article) ? Math.min(saved.cursor, [...article.text].length) : 0;
}
