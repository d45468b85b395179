// The rules themselves live in the wire module that the client package shares, so both ends refuse the
// same input; this file turns a broken rule into the domain's typed errors.
import { displayNameProblem, isValidTopicName, LIMITS, messageBytes } from '../../packages/client/src/wire/rules';
import { HandshakeRejectedError, InvalidFrameError, TooLargeError } from './errors';

export { isValidTopicName, LIMITS };

/** Throws `invalid_frame` for a topic name outside the contract's pattern. */
export function requireTopicName(topic: unknown): string {
  if (!isValidTopicName(topic)) {
    throw new InvalidFrameError('"topic" must be 1 to 128 characters of A-Z a-z 0-9 _ - . : /');
  }
  return topic;
}

/** A display name from the handshake: trimmed, 1 to 40 printable characters; anything else is a 400. */
export function parseDisplayName(raw: string): string {
  if (displayNameProblem(raw) !== undefined) {
    throw new HandshakeRejectedError(400, 'name must be 1 to 40 printable characters.');
  }
  return raw.trim();
}

/** Chat text: trimmed, 1 to 2,000 characters. Empty is `invalid_frame`, longer is `too_large`. */
export function parseChatText(raw: string): string {
  const text = raw.trim();
  if (text.length === 0) throw new InvalidFrameError('"message" must not be empty.');
  if ([...text].length > LIMITS.chatChars) {
    throw new TooLargeError(`"message" is longer than ${LIMITS.chatChars} characters.`);
  }
  return text;
}

/** The serialised size of a published message, in bytes, checked against the 16 KB limit. */
export function requireMessageSize(message: unknown): void {
  const bytes = messageBytes(message);
  if (bytes > LIMITS.messageBytes) {
    throw new TooLargeError(`"message" is ${bytes} bytes once serialised; the limit is ${LIMITS.messageBytes}.`);
  }
}

