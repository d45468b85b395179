import { integer, looseObject, object, optional, present, string, text, wholeNumber } from '../../validation';

/** Frame shapes. Domain rules (topic pattern, text and size limits) are checked by the domain. */
const id = optional(text(1, 128));

export const frames = {
  empty: object({}),
  loose: looseObject({}),
  subscribe: object({ topic: string(), since: optional(wholeNumber(0)) }),
  unsubscribe: object({ topic: string() }),
  publish: object({ topic: string(), message: present, id }),
  chat: object({ message: string(), id }),
  // `limit` is range-checked by the domain, which names the allowed range.
  history: object({ limit: optional(integer()), before: optional(wholeNumber(1)) }),
  // `cursor` is checked by the domain, which knows what a cursor of the room looks like.
  who: object({ cursor: optional(string()) }),
  // `cursor`: the position after the last character the client holds; one beyond the saved cursor is ignored.
  teleread: object({ cursor: optional(wholeNumber(0)) }),
};
