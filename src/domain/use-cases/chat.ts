import type { Dependencies } from '../dependencies';
import { InvalidFrameError } from '../errors';
import type { ChatFrame, PresentUser } from '../frames';
import { LIMITS, parseChatText } from '../limits';
import { CHAT_ROOM, type StoredMessage } from '../model';
import { fanOut, type FanOutResult } from './fan-out';
import { requireSession } from './hello';

export interface ChatRequest {
  connectionId: string;
  text: string;
  id?: string;
  /** `sendmessage` echoes to the sending connection; `send` does not (the user's other tabs still get it). */
  echoToSender: boolean;
}

/** Stores a chat message under the room's next `seq` and delivers it; a repeated `id` is a no-op. */
export async function sendChat(deps: Dependencies, request: ChatRequest): Promise<FanOutResult & { duplicate: boolean }> {
  const text = parseChatText(request.text);
  const { connection } = await requireSession(deps, request.connectionId);
  const { message, duplicate } = await deps.messages.append(CHAT_ROOM, {
    id: request.id ?? deps.ids.next(),
    payload: text,
    from: { userId: connection.userId, name: connection.name },
    sentAt: deps.clock.now().toISOString(),
    publisher: connection.userId,
  });
  if (duplicate) return { delivered: 0, gone: 0, failed: 0, duplicate };
  const result = await fanOut(deps, CHAT_ROOM, toChatFrame(message), {
    exclude: request.echoToSender ? undefined : (subscriber) => subscriber.connectionId === request.connectionId,
  });
  return { ...result, duplicate };
}

/** The newest `limit` chat messages before `before`, newest last. */
export async function chatHistory(deps: Dependencies, limit: number = LIMITS.historyDefault, before?: number): Promise<ChatFrame[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.historyMax) {
    throw new InvalidFrameError(`"limit" must be a whole number from 1 to ${LIMITS.historyMax}.`);
  }
  const messages = await deps.messages.readBefore(CHAT_ROOM, before, limit);
  return messages.map(toChatFrame);
}

/** The users in the room, each with how many connections they have open. */
export async function whoIsHere(deps: Dependencies): Promise<PresentUser[]> {
  const users = new Map<string, PresentUser>();
  for await (const page of deps.subscriptions.subscribers(CHAT_ROOM)) {
    for (const { userId, name } of page) {
      const present = users.get(userId);
      if (present) present.connections += 1;
      else users.set(userId, { userId, name, connections: 1 });
    }
  }
  return [...users.values()];
}

export function toChatFrame(message: StoredMessage): ChatFrame {
  return {
    type: 'chat',
    id: message.id,
    seq: message.seq,
    message: typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload),
    from: message.from ?? { userId: 'system', name: 'system' },
    sentAt: message.sentAt,
  };
}
