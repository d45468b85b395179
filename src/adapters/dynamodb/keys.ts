import type { Channel } from '../../domain/model';

/**
 * The single-table key design. Every request path is a key lookup or a Query on one partition:
 *
 * | item                          | pk                | sk                   |
 * |-------------------------------|-------------------|----------------------|
 * | connection                    | CONN#{id}         | META                 |
 * | connection's subscription     | CONN#{id}         | SUB#{channel}        |
 * | subscriber of a channel       | SUBS#{channel}    | CONN#{id}            |
 * | user (session)                | USER#{userId}     | PROFILE              |
 * | user's open connection        | USER#{userId}     | CONN#{id}            |
 * | user's closed connection      | USER#{userId}     | SESSION#{closedAt}#{id} |
 * | channel's last seq            | CHAN#{channel}    | SEQ                  |
 * | channel's subscriber count    | CHAN#{channel}    | SUBSCRIBERS          |
 * | idempotency record            | CHAN#{channel}    | ID#{publisher}#{id}  |
 * | stored message                | MSG#{channel}     | {seq, 12 digits}     |
 * | pinned tele-read article      | ARTICLE#{source}  | PINNED               |
 * | room's presence claim + count | PRESENCE#{room}   | ROOM                 |
 * | user announced in a room      | PRESENCE#{room}   | USER#{userId}        |
 *
 * The presence items are the presence worker's alone: `ROOM` holds the interval claim (`claimedUntil`, epoch
 * ms), the `tick` it bumps and the `count` the room was last told; a `USER#` item says the room was told that
 * user is there (with the name it was told). They are read and written by key, per user a batch touched.
 */
export const keys = {
  connection: (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'META' }),
  connectionPartition: (connectionId: string) => `CONN#${connectionId}`,
  connectionSubscription: (connectionId: string, channel: Channel) => ({
    pk: `CONN#${connectionId}`,
    sk: `SUB#${channel}`,
  }),
  subscriber: (channel: Channel, connectionId: string) => ({ pk: `SUBS#${channel}`, sk: `CONN#${connectionId}` }),
  subscribersPartition: (channel: Channel) => `SUBS#${channel}`,
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  userPartition: (userId: string) => `USER#${userId}`,
  userConnection: (userId: string, connectionId: string) => ({ pk: `USER#${userId}`, sk: `CONN#${connectionId}` }),
  userSession: (userId: string, disconnectedAt: string, connectionId: string) => ({
    pk: `USER#${userId}`,
    sk: `SESSION#${disconnectedAt}#${connectionId}`,
  }),
  SESSION_PREFIX: 'SESSION#',
  channelSeq: (channel: Channel) => ({ pk: `CHAN#${channel}`, sk: 'SEQ' }),
  subscriberCount: (channel: Channel) => ({ pk: `CHAN#${channel}`, sk: 'SUBSCRIBERS' }),
  idempotency: (channel: Channel, publisher: string, id: string) => ({
    pk: `CHAN#${channel}`,
    sk: `ID#${publisher}#${id}`,
  }),
  message: (channel: Channel, seq: number) => ({ pk: `MSG#${channel}`, sk: seqKey(seq) }),
  messagePartition: (channel: Channel) => `MSG#${channel}`,
  seqKey,
  articlePin: (source: string) => ({ pk: `ARTICLE#${source}`, sk: 'PINNED' }),
  presenceRoom: (room: string) => ({ pk: `PRESENCE#${room}`, sk: 'ROOM' }),
  presenceAnnounced: (room: string, userId: string) => ({ pk: `PRESENCE#${room}`, sk: `USER#${userId}` }),
} as const;

function seqKey(seq: number): string {
  return String(seq).padStart(12, '0');
}

export const CONN_PREFIX = 'CONN#';
export const SUB_PREFIX = 'SUB#';
