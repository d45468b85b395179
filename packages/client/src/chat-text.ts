import { chatTextProblem, LIMITS, normaliseChatText } from './wire/rules.js';

export type ChatTextCheck = { ok: true; text: string } | { ok: false; problem: string | undefined };

/**
 * Checks chat text by the rule the server applies (the shared wire rules), so a page refuses exactly the text
 * the server would refuse, before it enters the outbox (a refused message would otherwise be re-sent after
 * every reconnect). The text to send, or a plain sentence saying what is wrong (none for empty text).
 */
export function checkChatText(raw: string): ChatTextCheck {
  const text = normaliseChatText(raw);
  switch (chatTextProblem(text)) {
    case undefined:
      return { ok: true, text };
    case 'empty':
      return { ok: false, problem: undefined };
    case 'length':
      return { ok: false, problem: `A chat message can be at most ${LIMITS.chatChars} characters.` };
    case 'unprintable':
      return {
        ok: false,
        problem:
          'That message contains an invisible or control character (such as a zero-width space or a direction ' +
          'mark). Remove it and try again; line breaks and tabs are fine.',
      };
  }
}
