import {
  EmptyChatError,
  FrameTooLargeError,
  InvalidNameError,
  InvalidSinceError,
  InvalidTopicError,
  InvalidUrlError,
  MessageTooLargeError,
} from './errors.js';
import { charLength, displayNameProblem, isValidTopicName, LIMITS, messageBytes, utf8Length } from './wire/rules.js';

/** The URL, if it is ws:// or wss://; throws {@link InvalidUrlError} otherwise. */
export function requireWebSocketUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidUrlError(url, { cause: error });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new InvalidUrlError(url);
  return url;
}

export function requireTopic(topic: unknown): string {
  if (!isValidTopicName(topic)) throw new InvalidTopicError(topic);
  return topic;
}

/** A display name, trimmed; empty means none (the server makes one up). */
export function requireDisplayName(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = displayNameProblem(raw);
  if (problem) throw new InvalidNameError(problem);
  return raw.trim();
}

export function requireMessageSize(message: unknown): void {
  const bytes = messageBytes(message);
  if (bytes > LIMITS.messageBytes) throw new MessageTooLargeError('message-size', bytes, LIMITS.messageBytes);
}

/** Chat text, trimmed: 1 to 2,000 characters. */
export function requireChatText(raw: string): string {
  const text = raw.trim();
  if (text === '') throw new EmptyChatError();
  const chars = charLength(text);
  if (chars > LIMITS.chatChars) throw new MessageTooLargeError('chat-text', chars, LIMITS.chatChars);
  return text;
}

export function requireSince(since: number | undefined): number | undefined {
  if (since === undefined) return undefined;
  if (!Number.isSafeInteger(since) || since < 0) throw new InvalidSinceError(since);
  return since;
}

/** A serialised frame within API Gateway's 32 KB. */
export function requireFrameSize(data: string): string {
  const bytes = utf8Length(data);
  if (bytes > LIMITS.frameBytes) throw new FrameTooLargeError(bytes);
  return data;
}
