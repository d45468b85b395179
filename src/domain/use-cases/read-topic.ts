import type { Dependencies } from '../dependencies';
import type { TopicMessageFrame } from '../frames';
import { jsonBytes, LIMITS, requireTopicName } from '../limits';
import { topicChannel } from '../model';
import { toTopicFrame } from './publish';

export interface TopicPage {
  messages: TopicMessageFrame[];
  /** Present when the page stopped before the end (at `limit`, or at the byte cap): the next page's `since`. */
  next?: number;
}

/** Messages read per storage request: a byte-capped page never reads much more than it returns. */
const CHUNK = 100;
const ENVELOPE_BYTES = 256;

/**
 * Stored messages of a topic with `seq > since`, oldest first: at most `limit`, and never more than the
 * HTTP page byte cap, read in chunks so that a page of large messages stops reading where it stops.
 */
export async function readTopic(deps: Pick<Dependencies, 'messages'>, topicName: unknown, since: number, limit: number): Promise<TopicPage> {
  const topic = requireTopicName(topicName);
  const messages: TopicMessageFrame[] = [];
  let budget = LIMITS.httpPageBytes - ENVELOPE_BYTES;
  let after = since;
  for (;;) {
    const wanted = Math.min(CHUNK, limit - messages.length + 1);
    const chunk = await deps.messages.readAfter(topicChannel(topic), after, wanted);
    for (const stored of chunk) {
      const frame = toTopicFrame(topic, stored);
      const bytes = jsonBytes(frame) + 1;
      if (messages.length === limit || (bytes > budget && messages.length > 0)) return { messages, next: after };
      budget -= bytes;
      messages.push(frame);
      after = stored.seq;
    }
    if (chunk.length < wanted) return { messages };
  }
}
