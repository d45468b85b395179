import type { Dependencies } from '../dependencies';
import { InvalidFrameError } from '../errors';
import type { ChatFrame, HistoryFrame } from '../frames';
import { DEFAULT_ROOM, jsonBytes, LIMITS, parseChatText, requireRoomName } from '../limits';
import { roomOfChannel, type StoredMessage } from '../model';
import { requireMember } from '../room-membership';
import { type BroadcastPorts, type BroadcastResult, broadcast } from './broadcast';

export interface ChatRequest {
  connectionId: string;
  text: string;
  id?: string;
  /** The room to chat in; the default room when absent. */
  room?: string;
  /** `sendmessage` echoes to the sending connection; `send` does not (the user's other tabs still get it). */
  echoToSender: boolean;
}

/** Reading the membership, numbering and storing the message, then the broadcast. */
export type ChatPorts = Pick<Dependencies, 'messages' | 'ids' | 'clock'> & BroadcastPorts;

/**
 * Stores a chat message under the room's next `seq` and delivers it to the room, from the sender under the
 * name it has in that room. Only a member of the room may chat there (`not_in_room`). A repeated `id` from
 * the same user in the same room is a no-op.
 */
export async function sendChat(
  deps: ChatPorts,
  request: ChatRequest,
): Promise<BroadcastResult & { duplicate: boolean }> {
  const room = requireRoomName(request.room ?? DEFAULT_ROOM);
  const text = parseChatText(request.text);
  const { channel, member } = await requireMember(deps, room, request.connectionId);
  const { message, duplicate } = await deps.messages.append(channel, {
    id: request.id ?? deps.ids.next(),
    payload: text,
    from: { userId: member.userId, name: member.name },
    sentAt: deps.clock.now().toISOString(),
    publisher: member.userId,
  });
  if (duplicate) return { delivered: 0, gone: 0, failed: 0, queuedJobs: 0, duplicate };
  const result = await broadcast(
    deps,
    channel,
    toChatFrame(message),
    request.echoToSender ? {} : { connectionId: request.connectionId },
  );
  return { ...result, duplicate };
}

/** The envelope of a `history` frame: its type, brackets and the `before` of a cut page. */
const HISTORY_ENVELOPE_BYTES = 256;

export interface HistoryRequest {
  connectionId: string;
  /** The room to read; the default room when absent. */
  room?: string;
  limit?: number;
  before?: number;
}

/**
 * The newest `limit` chat messages of a room before `before`, newest last, as many of them as fit under
 * the reply byte cap: when older ones were left out, `before` says where to ask for them. Only a member of
 * the room may read it (`not_in_room`).
 */
export async function chatHistory(
  deps: Pick<Dependencies, 'messages' | 'subscriptions'>,
  { connectionId, room: requested, limit = LIMITS.historyDefault, before }: HistoryRequest,
): Promise<Omit<HistoryFrame, 'type'>> {
  const room = requireRoomName(requested ?? DEFAULT_ROOM);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.historyMax) {
    throw new InvalidFrameError(`"limit" must be a whole number from 1 to ${LIMITS.historyMax}.`);
  }
  const { channel } = await requireMember(deps, room, connectionId);
  const frames = (await deps.messages.readBefore(channel, before, limit)).map(toChatFrame);
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
  return first > 0 && messages[0] ? { room, messages, before: messages[0].seq } : { room, messages };
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
