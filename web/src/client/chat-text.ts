// The server's own parser and limits, so the page refuses exactly the text the server would refuse,
// before it enters the outbox (a refused message would otherwise be re-sent after every reconnect).
import { ClientError } from '../../../src/domain/errors';
import { LIMITS, parseChatText } from '../../../src/domain/limits';

export type ChatTextCheck = { ok: true; text: string } | { ok: false; problem: string | undefined };

/** Checks chat text as the server will: the text to send, or a plain sentence (none for empty text). */
export function checkChatText(raw: string): ChatTextCheck {
  if (raw.trim() === '') return { ok: false, problem: undefined };
  try {
    return { ok: true, text: parseChatText(raw) };
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    if (error.code === 'too_large') return { ok: false, problem: `A chat message can be at most ${LIMITS.chatChars} characters.` };
    return {
      ok: false,
      problem:
        'That message contains an invisible or control character (such as a zero-width space or a direction ' +
        'mark). Remove it and try again; line breaks and tabs are fine.',
    };
  }
}
