import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { roomChannel } from '../../domain/model';
import type { Admission, RateLimiter, RouteClass } from '../../domain/ports/rate-limiter';
import { keys } from './keys';
import { type TableContext, unlessConditionFails } from './table';

export interface Rate {
  /** Sustained frames per second per connection. */
  ratePerSecond: number;
  /** Frames a connection may send at once above the sustained rate. */
  burst: number;
}

export type DynamoDbRateLimiterOptions = Record<RouteClass, Rate>;

/**
 * GCRA (the generic cell rate algorithm, a token bucket kept as one number) per route class: the
 * connection's item holds one theoretical arrival time per class (`rateTat_{class}`); a frame is allowed
 * while that time is less than `burst` intervals ahead of now, and moves it to max(it, now) + one interval.
 *
 * Without a read: DynamoDB cannot compute a max, so the two cases are two conditional writes. An idle
 * bucket (time at or before now) is set to now + interval; a busy one is moved by `SET t = t + interval`
 * while it is under the tolerance. Each write is atomic on the item, so concurrent frames of one
 * connection never spend the same slot, nor retry against each other: an allowed frame costs one write,
 * two in the busy case. The time only ever grows, so when the first write fails (the time is past now)
 * the second decides. Both require the item, so a closed connection is never written back.
 *
 * A frame's budget in a room is kept the same way on the connection's membership of the room (its
 * subscription marker, in the connection's partition): it exists only while the connection is in the room,
 * is removed with it, and a room the connection is not in has no item to write, so naming rooms adds no
 * budget and grows no item. Refusals read once more, to tell a spent budget from a missing one.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly table: TableContext,
    private readonly rates: DynamoDbRateLimiterOptions,
  ) {}

  async tryAcquire(connectionId: string, routeClass: RouteClass, at: Date, room?: string): Promise<Admission> {
    const { ratePerSecond, burst } = this.rates[routeClass];
    const intervalMs = 1000 / ratePerSecond;
    const now = at.getTime();
    const key =
      room === undefined ? keys.connection(connectionId) : keys.connectionSubscription(connectionId, roomChannel(room));
    const idle = await this.update(
      key,
      routeClass,
      'SET #tat = :next',
      'attribute_exists(pk) AND (attribute_not_exists(#tat) OR #tat <= :now)',
      { ':next': now + intervalMs, ':now': now },
    );
    if (idle) return 'allowed';
    const busy = await this.update(
      key,
      routeClass,
      'SET #tat = #tat + :interval',
      'attribute_exists(pk) AND #tat < :limit',
      { ':interval': intervalMs, ':limit': now + intervalMs * burst },
    );
    if (busy) return 'allowed';
    if (await this.exists(key)) return 'limited';
    if (room === undefined) return 'unknown';
    return (await this.exists(keys.connection(connectionId))) ? 'not_in_room' : 'unknown';
  }

  private async update(
    key: ItemKey,
    routeClass: RouteClass,
    update: string,
    condition: string,
    values: Record<string, number>,
  ): Promise<boolean> {
    const written = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#tat': `rateTat_${routeClass}` },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return written !== undefined;
  }

  private async exists(key: ItemKey): Promise<boolean> {
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
  }
}

type ItemKey = { pk: string; sk: string };
