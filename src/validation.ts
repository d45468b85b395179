import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini keeps bundles small (zod's classic API is most of a function's bundle); the English
// locale gives clients readable messages ("Too small: expected number to be >=1").
z.config(en());

export { z };

/** A whole number from `min` to `max`. */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().check(z.int(), z.gte(min), z.lte(max));

/** A whole number from `min` to `max`, also from its text (query strings, environment variables). */
export const wholeNumberText = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().check(z.int(), z.gte(min), z.lte(max));

export const text = (min: number, max = Number.MAX_SAFE_INTEGER) => z.string().check(z.minLength(min), z.maxLength(max));

/** Any JSON value, but the field must be there. */
export const present = z.unknown().check(z.refine((value) => value !== undefined, { message: 'is required' }));

export function isValidationError(error: unknown): error is z.core.$ZodError {
  return error instanceof z.core.$ZodError;
}

/** `"field": problem; "other": problem`, for error frames and HTTP errors. */
export function describeValidationError(error: z.core.$ZodError, whole: string): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `"${issue.path.join('.')}"` : whole}: ${issue.message}`)
    .join('; ');
}
