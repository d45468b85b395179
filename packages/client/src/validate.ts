import {
  EmptyChatError,
  FrameTooLargeError,
  InvalidNameError,
  InvalidRoomError,
  InvalidSinceError,
  InvalidTopicError,
  InvalidUrlError,
  MessageTooDeepError,
  MessageTooLargeError,
  UnprintableTextError,
} from './errors.js';
import {
  charLength,
  chatTextProblem,
  displayNameProblem,
  isValidRoomName,
  isValidTopicName,
  LIMITS,
  messageBytes,
  messageProblem,
  normaliseChatText,
  utf8Length,
} from './wire/rules.js';

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

export function requireRoom(room: unknown): string {
  if (!isValidRoomName(room)) throw new InvalidRoomError(room);
  return room;
}

/** A display name, trimmed; empty means none (the server makes one up). */
export function requireDisplayName(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = displayNameProblem(raw);
  if (problem) throw new InvalidNameError(problem);
  return raw.trim();
}

/** A message to publish: at most 32 levels deep, printable strings, at most 16 KB serialised. */
export function requireMessage(message: unknown): void {
  switch (messageProblem(message)) {
    case 'depth':
      throw new MessageTooDeepError();
    case 'unprintable':
      throw new UnprintableTextError('message-text');
    case 'size':
      throw new MessageTooLargeError('message-size', messageBytes(message), LIMITS.messageBytes);
    case undefined:
      return;
  }
}

/** Chat text as the server stores it (trimmed, CR LF made LF): 1 to 2,000 printable characters. */
export function requireChatText(raw: string): string {
  const text = normaliseChatText(raw);
  switch (chatTextProblem(text)) {
    case 'empty':
      throw new EmptyChatError();
    case 'length':
      throw new MessageTooLargeError('chat-text', charLength(text), LIMITS.chatChars);
    case 'unprintable':
      throw new UnprintableTextError('chat-text');
    case undefined:
      return text;
  }
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
