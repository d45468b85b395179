import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { roomChannel } from '../../domain/model';
import type { Admission, RateLimiter, RouteClass } from '../../domain/ports/rate-limiter';
import { keys } from './keys';
import { leftRoomRateAttribute, rateAttribute } from './rate-attributes';
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
 * budget and grows no item. Refusals read once more, to tell a spent budget from a missing one. The
 * first frame of a membership makes its bucket (two reads more, once per class and membership), starting
 * where the buckets of the rooms the connection left stood, which the subscription repository keeps on the
 * connection's item at a leave: leaving a room and joining it again does not refill its budget.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly table: TableContext,
    private readonly rates: DynamoDbRateLimiterOptions,
  ) {}

  async tryAcquire(connectionId: string, routeClass: RouteClass, at: Date, room?: string): Promise<Admission> {
    if (room === undefined) {
      const key = keys.connection(connectionId);
      if (await this.draw(key, routeClass, at, 'attribute_not_exists(#tat) OR #tat <= :now')) return 'allowed';
      return (await this.read(key, routeClass)) ? 'limited' : 'unknown';
    }
    const key = keys.connectionSubscription(connectionId, roomChannel(room));
    // A membership's bucket is made by its first frame (below), so the idle case needs one already.
    if (await this.draw(key, routeClass, at, '#tat <= :now')) return 'allowed';
    const marker = await this.read(key, routeClass);
    if (!marker) return (await this.read(keys.connection(connectionId), routeClass)) ? 'not_in_room' : 'unknown';
    const tat = marker[rateAttribute(routeClass)];
    if (tat === undefined) return this.start(connectionId, key, routeClass, at);
    // The bucket may have been made by a racing first frame between the draw and this read: with room left in
    // it, draw again (the time only grows, so a second refusal is a spent budget).
    const { intervalMs, burst } = this.rate(routeClass);
    if (Number(tat) >= at.getTime() + intervalMs * burst) return 'limited';
    return (await this.draw(key, routeClass, at, '#tat <= :now')) ? 'allowed' : 'limited';
  }

  /** One token from an existing bucket: the idle case (`idleCondition`), else the busy one. */
  private async draw(key: ItemKey, routeClass: RouteClass, at: Date, idleCondition: string): Promise<boolean> {
    const { intervalMs, burst } = this.rate(routeClass);
    const now = at.getTime();
    const idle = await this.update(key, routeClass, 'SET #tat = :next', `attribute_exists(pk) AND (${idleCondition})`, {
      ':next': now + intervalMs,
      ':now': now,
    });
    if (idle) return true;
    return this.update(key, routeClass, 'SET #tat = #tat + :interval', 'attribute_exists(pk) AND #tat < :limit', {
      ':interval': intervalMs,
      ':limit': now + intervalMs * burst,
    });
  }

  /**
   * The first frame of a membership makes its bucket, where the buckets of the rooms the connection left
   * stood (or full, when they have recovered): leaving a room and joining it again refills nothing. A
   * frame racing it for the same bucket draws from the bucket it made.
   */
  private async start(connectionId: string, key: ItemKey, routeClass: RouteClass, at: Date): Promise<Admission> {
    const { intervalMs, burst } = this.rate(routeClass);
    const now = at.getTime();
    const connection = await this.read(keys.connection(connectionId), routeClass);
    const left = Number(connection?.[leftRoomRateAttribute(rateAttribute(routeClass))] ?? 0);
    const from = Math.max(now, left);
    if (from >= now + intervalMs * burst) return 'limited';
    const made = await this.update(
      key,
      routeClass,
      'SET #tat = :next',
      'attribute_exists(pk) AND attribute_not_exists(#tat)',
      {
        ':next': from + intervalMs,
      },
    );
    if (made) return 'allowed';
    return (await this.draw(key, routeClass, at, '#tat <= :now')) ? 'allowed' : 'limited';
  }

  private rate(routeClass: RouteClass): { intervalMs: number; burst: number } {
    const { ratePerSecond, burst } = this.rates[routeClass];
    return { intervalMs: 1000 / ratePerSecond, burst };
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
          ExpressionAttributeNames: { '#tat': rateAttribute(routeClass) },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return written !== undefined;
  }

  /** The item (its key and the class's bucket attributes), or undefined when it does not exist. */
  private async read(key: ItemKey, routeClass: RouteClass): Promise<Record<string, unknown> | undefined> {
    const attribute = rateAttribute(routeClass);
    const { Item } = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: 'pk, #tat, #left',
        ExpressionAttributeNames: { '#tat': attribute, '#left': leftRoomRateAttribute(attribute) },
      }),
    );
    return Item;
  }
}

type ItemKey = { pk: string; sk: string };
