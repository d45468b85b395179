// The server's own rules for a published message (src/domain/limits.ts), so the page refuses in plain
// words what the server would refuse, before the publish is kept to be re-sent after every reconnect.
import { ClientError } from '../../../src/domain/errors';
import { LIMITS, requireDepth, requireMessage } from '../../../src/domain/limits';

/** What is wrong with a message to publish, in plain words, or undefined when the server will take it. */
export function checkTopicMessage(message: unknown): string | undefined {
  try {
    requireDepth(message, LIMITS.messageDepth, '"message"');
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    return `That message nests more than ${LIMITS.messageDepth} levels of arrays and objects. Flatten it and try again.`;
  }
  try {
    requireMessage(message);
    return undefined;
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    if (error.code === 'too_large') return `That message is too large for the server (${LIMITS.messageBytes / 1024} KB at most). Shorten it and try again.`;
    return 'That message contains an invisible or control character (such as a zero-width space or a direction mark). Remove it and try again; line breaks and tabs are fine.';
  }
}
