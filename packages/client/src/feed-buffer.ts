import type { FeedFrame } from './wire/frames.js';

export interface FeedUpdate {
  /** Characters that are new to this page (empty for a repeat). */
  appended: string;
  /** Characters the server had delivered that this page never saw (a gap before `appended`). */
  missing: number;
}

/**
 * The article as far as this page has it. Every `feed` frame says where its text ends (`cursor`), so a
 * repeat after a resume is trimmed and a gap is reported rather than glued on silently.
 */
export class FeedBuffer {
  private text = '';
  private end = 0;
  private startOffset = 0;
  total = 0;

  /** Position after the last character this page holds. */
  get cursor(): number {
    return this.end;
  }

  /** The text held, which starts at `start` in the article. */
  get content(): string {
    return this.text;
  }

  get start(): number {
    return this.startOffset;
  }

  /** Starts empty at `cursor`, e.g. for a session that resumes a reading begun in another tab. */
  resetAt(cursor: number, total: number): void {
    this.text = '';
    this.startOffset = cursor;
    this.end = cursor;
    this.total = total;
  }

  /**
   * A session told us where the server will resume. An empty buffer moves there. So does a full one when
   * the article's length changed: it was replaced by another revision, which restarts every reader at 0,
   * and the text that comes would otherwise be taken for repeats and dropped, then new text glued onto
   * old. Otherwise the page keeps its text and sends its own cursor with `teleread`; the server resumes
   * from the smaller of that and its own, and repeats are trimmed here.
   */
  onSession(cursor: number, total: number): void {
    if (total === 0) return; // the server cannot load the article right now: nothing to go by
    const replaced = this.total > 0 && total !== this.total;
    this.total = total;
    if (replaced || (this.text === '' && this.end !== cursor)) this.resetAt(cursor, total);
  }

  /** Cursors count characters (code points), as the server does, not UTF-16 units: an emoji is one. */
  apply(frame: FeedFrame): FeedUpdate {
    const characters = [...frame.text];
    const from = frame.cursor - characters.length;
    // Holding nothing and no article length (the session came while the server could not load it): the
    // position the page was given is not known to fit the article, so the stream's own position is taken.
    if (this.total === 0 && this.text === '') this.startOffset = this.end = from;
    this.total = frame.total;
    if (frame.cursor <= this.end) return { appended: '', missing: 0 };
    const overlap = Math.max(0, this.end - from);
    const missing = Math.max(0, from - this.end);
    const appended = characters.slice(overlap).join('');
    this.text += appended;
    this.end = frame.cursor;
    return { appended, missing };
  }

  /** Forgets the text shown; the position stays, so later frames still line up. */
  clear(): void {
    this.startOffset = this.end;
    this.text = '';
  }
}
