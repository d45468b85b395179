import type { IdGenerator } from '../../../src/domain/ports/id-generator';

/** Ids `id-1`, `id-2`, ... so that tests can name what the use cases will generate. */
export class SequentialIds implements IdGenerator {
  private count = 0;

  constructor(private readonly prefix = 'id') {}

  next(): string {
    this.count += 1;
    return `${this.prefix}-${this.count}`;
  }

  /** How many ids were handed out; a refused handshake must not take any. */
  get issued(): number {
    return this.count;
  }
}
