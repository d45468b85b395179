import { z } from 'zod';

/** Frame shapes. Domain rules (topic pattern, text and size limits) are checked by the domain. */
const id = z.string().min(1).max(128).optional();
const message = z.unknown().refine((value) => value !== undefined, { message: 'is required' });

export const frames = {
  empty: z.object({}),
  subscribe: z.object({ topic: z.string(), since: z.number().int().min(0).optional() }),
  unsubscribe: z.object({ topic: z.string() }),
  publish: z.object({ topic: z.string(), message, id }),
  chat: z.object({ message: z.string(), id }),
  history: z.object({
    limit: z.number().int().optional(),
    before: z.number().int().min(1).optional(),
  }),
};
