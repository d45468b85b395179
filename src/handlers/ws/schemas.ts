import { present, text, wholeNumber, z } from '../../validation';

/** Frame shapes. Domain rules (topic pattern, text and size limits) are checked by the domain. */
const id = z.optional(text(1, 128));

export const frames = {
  empty: z.object({}),
  loose: z.looseObject({}),
  subscribe: z.object({ topic: z.string(), since: z.optional(wholeNumber(0)) }),
  unsubscribe: z.object({ topic: z.string() }),
  publish: z.object({ topic: z.string(), message: present, id }),
  chat: z.object({ message: z.string(), id }),
  // `limit` is range-checked by the domain, which names the allowed range.
  history: z.object({ limit: z.optional(z.number().check(z.int())), before: z.optional(wholeNumber(1)) }),
};
