import { LIMITS, messageProblem } from './wire/rules.js';

/**
 * What is wrong with a message to publish, in plain words, or undefined when the server will take it: the
 * server's own rules (the shared wire rules), so a page says so before the publish is kept to be re-sent
 * after every reconnect.
 */
export function checkTopicMessage(message: unknown): string | undefined {
  switch (messageProblem(message)) {
    case undefined:
      return undefined;
    case 'depth':
      return `That message nests more than ${LIMITS.messageDepth} levels of arrays and objects. Flatten it and try again.`;
    case 'size':
      return `That message is too large for the server (${LIMITS.messageBytes / 1024} KB at most). Shorten it and try again.`;
    case 'unprintable':
      return 'That message contains an invisible or control character (such as a zero-width space or a direction mark). Remove it and try again; line breaks and tabs are fine.';
  }
}
