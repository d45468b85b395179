/**
 * Content rules of the wire contract (docs/protocol.md, "Limits"), shared by the server, which enforces
 * them, and the client, which refuses what the server would refuse before sending it. Pure functions: this
 * file imports only the SHA-256 the user tag needs.
 */

import { sha256Hex } from './sha256.js';

export const LIMITS = {
  /** A published topic `message`, serialised, in bytes. */
  messageBytes: 16 * 1024,
  /** Chat text after trimming, in characters (code points). */
  chatChars: 2000,
  /** A display name after trimming, in characters. */
  nameChars: 40,
  topicChars: 128,
  historyDefault: 50,
  historyMax: 200,
  /** API Gateway closes the connection (1009) on a frame larger than this, in bytes. */
  frameBytes: 32 * 1024,
  /** Idempotency ids of publish and chat frames, in characters. */
  idChars: 128,
  /**
   * Arrays and objects a `message` may nest (a scalar is 0 levels, `[1]` is 1). Serialising and storing a
   * value recurse, so depth is checked first, without recursion.
   */
  messageDepth: 32,
  /**
   * A reply frame, serialised. API Gateway refuses an `@connections` post over 128 KB (a WebSocket message
   * of up to four 32 KB frames); the rest is headroom for the envelope of a reply cut at this size.
   */
  replyBytes: 120 * 1024,
  /** Members in one `who` page. */
  whoPageSize: 100,
  /** An HTTP API answer, serialised: well under Lambda's 6 MB response limit. */
  httpPageBytes: 1024 * 1024,
  /** Topic subscriptions one connection may hold (the chat room not counted), unless the server sets fewer or more. */
  subscriptionsPerConnection: 100,
  /** Named chat rooms one connection may be in by default (the default room does not count). */
  roomsPerConnection: 10,
} as const;

/** The room every connection joins at connect (unless the deployment turns that off), and that frames without `room` mean. */
export const DEFAULT_ROOM = 'lobby';

/** API Gateway's connection limits. */
export const GATEWAY = {
  /** A connection with no client frame for this long is closed. */
  idleTimeoutMs: 10 * 60_000,
  /** Any connection is closed after this long. */
  maxConnectionMs: 2 * 60 * 60_000,
} as const;

export const TOPIC_PATTERN = /^[A-Za-z0-9_\-.:/]{1,128}$/;
export const TOPIC_RULE = 'a topic name is 1 to 128 characters of A-Z a-z 0-9 _ - . : /';
export const NAME_RULE = 'a display name is 1 to 40 printable characters after trimming';

// Not printable: controls, lone surrogates, line and paragraph separators, and invisible format characters
// (bidi overrides, zero-width spaces), except the joiner and tag characters that emoji sequences use.
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;
// Text (chat, and the strings of a published message) follows the same rule but may break lines and indent.
const UNPRINTABLE_IN_TEXT = /(?![\t\n])[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200d\u{e0020}-\u{e007f}])\p{Cf}/u;
export const TEXT_RULE =
  'printable characters (line feeds and tabs allowed; no other control, separator or invisible format characters)';

export function isValidTopicName(topic: unknown): topic is string {
  return typeof topic === 'string' && TOPIC_PATTERN.test(topic);
}

/** Room names follow the topic name rule. */
export function isValidRoomName(room: unknown): room is string {
  return isValidTopicName(room);
}

/** Why a display name (before trimming) breaks the rules, or undefined when it is valid. */
export function displayNameProblem(raw: string): 'length' | 'unprintable' | undefined {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > LIMITS.nameChars) return 'length';
  if (UNPRINTABLE.test(name)) return 'unprintable';
  return undefined;
}

/** Length in characters (code points), as the server counts chat text, names and the feed cursor. */
export function charLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The serialised size of a published message in bytes (`undefined` serialises as `null`). */
export function messageBytes(message: unknown): number {
  return utf8Length(JSON.stringify(message) ?? 'null');
}

/** Chat text as the server stores it: trimmed, CR LF and CR made LF. */
export function normaliseChatText(raw: string): string {
  return raw.trim().replace(/\r\n?/g, '\n');
}

/**
 * Why chat text (already normalised, see {@link normaliseChatText}) breaks the rules, or undefined: empty,
 * over {@link LIMITS.chatChars} characters, or not printable text ({@link TEXT_RULE}).
 */
export function chatTextProblem(text: string): 'empty' | 'length' | 'unprintable' | undefined {
  if (text.length === 0) return 'empty';
  if (charLength(text) > LIMITS.chatChars) return 'length';
  if (UNPRINTABLE_IN_TEXT.test(text)) return 'unprintable';
  return undefined;
}

/**
 * Why a published or direct `message` breaks the rules, or undefined: nested more than
 * {@link LIMITS.messageDepth} levels (`depth`), a string in it (object keys too) that is not printable text
 * with CR allowed as well (`unprintable`), over {@link LIMITS.messageBytes} serialised (`size`). One walk,
 * without recursion, before anything serialises the value; the first problem met is the one returned.
 */
export function messageProblem(message: unknown): 'depth' | 'unprintable' | 'size' | undefined {
  const problem = walk(message, LIMITS.messageDepth, (text) => UNPRINTABLE_IN_TEXT.test(text.replace(/\r/g, '')));
  if (problem) return problem;
  return messageBytes(message) > LIMITS.messageBytes ? 'size' : undefined;
}

/** Whether `value` nests more than `maxDepth` arrays and objects; never recurses. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  return walk(value, maxDepth, () => false) === 'depth';
}

function walk(
  value: unknown,
  maxDepth: number,
  isBadString: (text: string) => boolean,
): 'depth' | 'unprintable' | undefined {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item === 'string') {
      if (isBadString(item)) return 'unprintable';
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > maxDepth) return 'depth';
    if (Array.isArray(item)) {
      for (const element of item) pending.push([element, depth + 1]);
    } else {
      for (const [key, element] of Object.entries(item)) {
        if (isBadString(key)) return 'unprintable';
        pending.push([element, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * The part of a user id that a guest name is drawn from (a name, not a proof: `userTag` is). An anonymous id (a UUID drawn by the server) whole. A
 * signed-in id (`{subject}@jwt`, `{subject}@iam`) without its method and, when the subject is made of parts
 * separated by `:` or `/`, its last part: every identity pool guest of a Region shares `us-east-1:` and every
 * IAM signer `arn:aws:`, while the identity id's UUID or the ARN's user or session name is theirs.
 */
export function userIdOwnPart(userId: string): string {
  const subject = /^(.+)@(?:jwt|iam)$/.exec(userId)?.[1];
  if (subject === undefined) return userId;
  const last = subject.slice(Math.max(subject.lastIndexOf(':'), subject.lastIndexOf('/')) + 1);
  return /[A-Za-z0-9]/.test(last) ? last : subject;
}

/**
 * A short tag for a user, stable for its life, shown beside its name wherever names appear so that two
 * users are told apart whatever names they choose (the same name, a look-alike such as a Cyrillic "А",
 * or a suffix such as " (admin)"). An anonymous user's: `#` and the first 8 letters and digits of its id,
 * lower-cased; the server draws those ids at random (UUIDs, whose first 8 digits are 32 random bits). A
 * signed-in user's (`{subject}@jwt`, `{subject}@iam`): `#` and the first 8 hex digits of the SHA-256 of the
 * whole id, because parts of a subject can be chosen by the caller (an assumed role's session name, an OIDC
 * `sub` that is a username). So no one can simply name themselves into another user's tag: matching an anonymous one takes billions
 * of new connections, a signed-in one an offline search of about 2^32 hashes (a tag tells users apart; it
 * is not proof of identity). Synchronous, so that it works the same in browsers and Node.
 */
export function userTag(userId: string): string {
  if (/@(?:jwt|iam)$/.test(userId)) return `#${sha256Hex(userId).slice(0, 8)}`;
  return `#${userId
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 8)
    .toLowerCase()}`;
}
