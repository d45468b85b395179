import type { output, ZodMiniType } from 'zod/mini';
import { _default, coerce, gte, int, lte, maxLength, minLength, number, refine, string, unknown } from 'zod/mini';
import type { $ZodIssue } from 'zod/v4/core';
import { $ZodError } from 'zod/v4/core';

// zod/mini, by name: its classic API, a re-exported namespace (`z`), `z.core` or `zod/locales` would
// each keep all of zod in every bundle (it declares no `sideEffects`); this way a function carries
// about 20 KB of it. Messages are worded here, so no locale is needed.

export {
  array,
  enum as oneOf,
  type infer as Infer,
  looseObject,
  object,
  optional,
  refine,
  string,
  url,
  type ZodMiniType as Schema,
} from 'zod/mini';

/** A value with a default when absent. */
export const withDefault = _default;

/** A whole number from `min` to `max`. */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => number().check(int(), gte(min), lte(max));

/** A whole number from `min` to `max`, also from its text (query strings, environment variables). */
export const wholeNumberText = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  coerce.number().check(int(), gte(min), lte(max));

export const text = (min: number, max = Number.MAX_SAFE_INTEGER) => string().check(minLength(min), maxLength(max));

/** Any JSON value, but the field must be there. */
export const present = unknown().check(refine((value) => value !== undefined, { message: 'is required' }));

/** A whole number, range-checked elsewhere. */
export const integer = () => number().check(int());

/** Parses or throws; issues carry the input, so that a wrong type and a missing field read differently. */
export function validate<S extends ZodMiniType>(schema: S, data: unknown): output<S> {
  return schema.parse(data, { reportInput: true });
}

export function isValidationError(error: unknown): error is $ZodError {
  return error instanceof $ZodError;
}

/** `"field": problem; "other": problem`, for error frames and HTTP errors. */
export function describeValidationError(error: $ZodError, whole: string): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `"${issue.path.join('.')}"` : whole}: ${problem(issue)}`)
    .join('; ');
}

function problem(issue: $ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} characters`
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `has unknown fields ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}
