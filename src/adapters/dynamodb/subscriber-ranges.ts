import type { SubscriberShard } from '../../domain/ports/subscriber-shards';
import { CONN_PREFIX } from './keys';

/**
 * The characters a connection id starts with (API Gateway's ids are base64: `Gg3GqdpYIAMCJOg=`), in
 * DynamoDB's byte order. Shards split this alphabet into contiguous runs of the sort key `CONN#{id}`.
 */
const ALPHABET = [...'+-/0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'].sort();
export const MAX_SHARDS = ALPHABET.length;

/**
 * The sort key range (for `sk BETWEEN :from AND :to`) of one shard of a channel's subscribers. The first
 * range starts below every id and the last ends above every id, and each range ends just below where the
 * next begins: together they cover every possible id once, whatever its first character.
 */
export function subscriberRange(shard: SubscriberShard): { from: string; to: string } {
  const of = Math.min(shard.of, MAX_SHARDS);
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= of)
    throw new RangeError(`No shard ${shard.index} of ${of}`);
  const start = (i: number): string => ALPHABET[Math.floor((i * ALPHABET.length) / of)] as string;
  const from = shard.index === 0 ? CONN_PREFIX : `${CONN_PREFIX}${start(shard.index)}`;
  const to =
    shard.index === of - 1
      ? `${CONN_PREFIX}\uffff`
      : `${CONN_PREFIX}${String.fromCharCode(start(shard.index + 1).charCodeAt(0) - 1)}\uffff`;
  return { from, to };
}
