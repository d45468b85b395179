import type { Dependencies } from '../dependencies';
import type { SkippedFrame, TopicMessageFrame } from '../frames';
import { jsonBytes, LIMITS, requireTopicName } from '../limits';
import { topicChannel } from '../model';
import { toTopicEntryFrame } from './publish';

export interface TopicPage {
  /** Messages, and `skipped` entries for numbers that will never hold one. */
  messages: (TopicMessageFrame | SkippedFrame)[];
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
export async function readTopic(
  deps: Pick<Dependencies, 'messages'>,
  topicName: unknown,
  since: number,
  limit: number,
): Promise<TopicPage> {
  const topic = requireTopicName(topicName);
  const messages: (TopicMessageFrame | SkippedFrame)[] = [];
  let budget = LIMITS.httpPageBytes - ENVELOPE_BYTES;
  let after = since;
  for (;;) {
    const wanted = Math.min(CHUNK, limit - messages.length + 1);
    const chunk = await deps.messages.readAfter(topicChannel(topic), after, wanted);
    for (const entry of chunk) {
      const frame = toTopicEntryFrame(topic, entry);
      const bytes = jsonBytes(frame) + 1;
      if (messages.length === limit || (bytes > budget && messages.length > 0)) return { messages, next: after };
      budget -= bytes;
      messages.push(frame);
      after = entry.seq;
    }
    if (chunk.length < wanted) return { messages };
  }
}
