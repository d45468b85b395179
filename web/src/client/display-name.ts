// The server's own parser and limits (src/domain imports nothing from Node or AWS), so the page refuses
// exactly the names a handshake would refuse with 400, instead of a hand-written approximation.
import { HandshakeRejectedError } from '../../../src/domain/errors';
import { LIMITS, parseDisplayName } from '../../../src/domain/limits';

export type DisplayNameCheck = { ok: true; name: string | undefined } | { ok: false; problem: string };

/**
 * Checks a display name as the server will. Empty means "no name" (the server generates one); otherwise
 * the trimmed name, or a plain sentence saying what is wrong with it.
 */
export function checkDisplayName(raw: string): DisplayNameCheck {
  if (raw.trim() === '') return { ok: true, name: undefined };
  try {
    return { ok: true, name: parseDisplayName(raw) };
  } catch (error) {
    if (!(error instanceof HandshakeRejectedError)) throw error;
    if ([...raw.trim()].length > LIMITS.nameChars) {
      return { ok: false, problem: `A display name can be at most ${LIMITS.nameChars} characters.` };
    }
    return {
      ok: false,
      problem:
        'That display name contains an invisible or control character (such as a zero-width space, a ' +
        'direction mark or a line break). Remove it and try again; your name was not changed.',
    };
  }
}
