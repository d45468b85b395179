import { displayNameProblem, LIMITS } from './wire/rules.js';

export type DisplayNameCheck = { ok: true; name: string | undefined } | { ok: false; problem: string };

/**
 * Checks a display name by the rule the server applies (the shared wire rules), so a page refuses exactly
 * the names a handshake would refuse with 400. Empty means "no name" (the server generates one); otherwise
 * the trimmed name, or a plain sentence saying what is wrong with it.
 */
export function checkDisplayName(raw: string): DisplayNameCheck {
  if (raw.trim() === '') return { ok: true, name: undefined };
  const problem = displayNameProblem(raw);
  if (problem === undefined) return { ok: true, name: raw.trim() };
  if (problem === 'length')
    return { ok: false, problem: `A display name can be at most ${LIMITS.nameChars} characters.` };
  return {
    ok: false,
    problem:
      'That display name contains an invisible or control character (such as a zero-width space, a ' +
      'direction mark or a line break). Remove it and try again; your name was not changed.',
  };
}
