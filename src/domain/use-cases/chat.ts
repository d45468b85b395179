import type { Dependencies } from '../dependencies';
import { InvalidFrameError } from '../errors';
import type { ChatFrame, HistoryFrame } from '../frames';
import { jsonBytes, LIMITS, parseChatText } from '../limits';
import { CHAT_ROOM, DEFAULT_ROOM, roomOfChannel, type StoredMessage } from '../model';
import { requireSession } from '../session';
import { type BroadcastResult, broadcast } from './broadcast';

export interface ChatRequest {
  connectionId: string;
  text: string;
  id?: string;
  /** `sendmessage` echoes to the sending connection; `send` does not (the user's other tabs still get it). */
  echoToSender: boolean;
}

/** Stores a chat message under the room's next `seq` and delivers it; a repeated `id` is a no-op. */
export async function sendChat(
  deps: Dependencies,
  request: ChatRequest,
): Promise<BroadcastResult & { duplicate: boolean }> {
  const text = parseChatText(request.text);
  const { connection } = await requireSession(deps, request.connectionId);
  const { message, duplicate } = await deps.messages.append(CHAT_ROOM, {
    id: request.id ?? deps.ids.next(),
    payload: text,
    from: { userId: connection.userId, name: connection.name },
    sentAt: deps.clock.now().toISOString(),
    publisher: connection.userId,
  });
  if (duplicate) return { delivered: 0, gone: 0, failed: 0, queuedJobs: 0, duplicate };
  const result = await broadcast(
    deps,
    CHAT_ROOM,
    toChatFrame(message),
    request.echoToSender ? {} : { connectionId: request.connectionId },
  );
  return { ...result, duplicate };
}

/** The envelope of a `history` frame: its type, brackets and the `before` of a cut page. */
const HISTORY_ENVELOPE_BYTES = 256;

/**
 * The newest `limit` chat messages before `before`, newest last, as many of them as fit under the reply
 * byte cap: when older ones were left out, `before` says where to ask for them.
 */
export async function chatHistory(
  deps: Pick<Dependencies, 'messages'>,
  limit: number = LIMITS.historyDefault,
  before?: number,
): Promise<Omit<HistoryFrame, 'type'>> {
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.historyMax) {
    throw new InvalidFrameError(`"limit" must be a whole number from 1 to ${LIMITS.historyMax}.`);
  }
  const frames = (await deps.messages.readBefore(CHAT_ROOM, before, limit)).map(toChatFrame);
  let budget = LIMITS.replyBytes - HISTORY_ENVELOPE_BYTES;
  let first = frames.length;
  // From the newest back; the first message always goes (one is at most a few KB).
  while (first > 0) {
    const bytes = jsonBytes(frames[first - 1]) + 1;
    if (bytes > budget && first < frames.length) break;
    budget -= bytes;
    first -= 1;
  }
  const messages = frames.slice(first);
  return first > 0 && messages[0]
    ? { room: DEFAULT_ROOM, messages, before: messages[0].seq }
    : { room: DEFAULT_ROOM, messages };
}

export function toChatFrame(message: StoredMessage): ChatFrame {
  return {
    type: 'chat',
    room: roomOfChannel(message.channel) ?? DEFAULT_ROOM,
    id: message.id,
    seq: message.seq,
    message: typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload),
    from: message.from ?? { userId: 'system', name: 'system' },
    sentAt: message.sentAt,
  };
}
