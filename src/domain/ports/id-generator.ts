/** Produces unique, unguessable ids (user ids, message ids). */
export interface IdGenerator {
  next(): string;
}
