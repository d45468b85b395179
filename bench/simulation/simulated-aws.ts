import { DeliveryThrottledError } from '../../src/domain/fan-out/delivery-throttled-error';
import type { FanOutJob } from '../../src/domain/fan-out/fan-out-job';
import type { ServerFrame } from '../../src/domain/frames';
import type { Channel, Connection, Subscriber } from '../../src/domain/model';
import type { FanOutQueue } from '../../src/domain/ports/fan-out-queue';
import type { Delivery, Notifier } from '../../src/domain/ports/notifier';
import type { ShardPage, SubscriberShard, SubscriberShards } from '../../src/domain/ports/subscriber-shards';
import type { SubscriberPage, SubscriptionRepository } from '../../src/domain/ports/subscription-repository';
import type { SerialProcessor } from './serial-processor';
import { logNormal, type VirtualTime } from './virtual-time';

/** Work a simulated service makes the local stack's one event loop do per request (absent for AWS). */
export interface LocalWork {
  processor: SerialProcessor;
  ms: number;
}

export interface ConnectionsModel {
  medianMs: number;
  /** Spread of the log-normal latency (0: every call takes the median, as the local stack's injected delay). */
  sigma: number;
  /** The account's @connections request rate, and its burst. */
  ratePerSecond: number;
  burst: number;
  /** Share of calls answered 429 whatever the bucket holds, and share of connections that are gone (410). */
  injected429: number;
  gone410: number;
  /** The local stack's own work per call, before the call waits its latency. */
  work?: LocalWork;
}

/** `@connections` in virtual time: a token bucket, log-normal latency, injected 429s and gone connections. */
export class SimulatedConnections implements Notifier {
  readonly deliveries: Uint16Array;
  readonly gone: Uint8Array;
  calls = 0;
  throttled = 0;
  lastDeliveryMs = 0;
  private tokens: number;
  private refilledAt = 0;

  constructor(
    private readonly sim: VirtualTime,
    private readonly random: () => number,
    private readonly model: ConnectionsModel,
    size: number,
  ) {
    this.deliveries = new Uint16Array(size);
    this.gone = new Uint8Array(size);
    for (let i = 0; i < size; i += 1) if (random() < model.gone410) this.gone[i] = 1;
    this.tokens = model.burst;
  }

  async send(connectionId: string, _frame: ServerFrame): Promise<Delivery> {
    this.calls += 1;
    const now = this.sim.now;
    this.tokens = Math.min(this.model.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.model.ratePerSecond);
    this.refilledAt = now;
    const refused = this.tokens < 1 || this.random() < this.model.injected429;
    if (!refused) this.tokens -= 1;
    if (this.model.work) await this.model.work.processor.use(this.model.work.ms);
    await this.sim.sleep(
      logNormal(this.random, refused ? this.model.medianMs / 2 : this.model.medianMs, this.model.sigma),
    );
    if (refused) {
      this.throttled += 1;
      throw new DeliveryThrottledError();
    }
    const index = indexOf(connectionId);
    if (this.gone[index]) return 'gone';
    this.deliveries[index] = (this.deliveries[index] ?? 0) + 1;
    this.lastDeliveryMs = Math.max(this.lastDeliveryMs, this.sim.now);
    return 'sent';
  }

  /** Fan-out never closes connections; nothing to model. */
  async close(_connectionId: string): Promise<void> {}
}

export interface TableModel {
  queryMedianMs: number;
  /** The local stack's own work per read request (a Query page, a GetItem). */
  work?: LocalWork;
  /** Bytes of one subscriber item (what a consistent read pays for, per 4 KB). */
  itemBytes: number;
}

/** One channel of `size` subscribers in DynamoDB, in virtual time; shard i holds the ids equal to i modulo the shard count. */
export class SimulatedSubscribers implements SubscriberShards, SubscriptionRepository {
  readRequests = 0;
  readUnits = 0;

  constructor(
    private readonly sim: VirtualTime,
    private readonly random: () => number,
    private readonly model: TableModel,
    private readonly size: number,
    private readonly pageSize: number,
  ) {}

  async countSubscribers(_channel: Channel): Promise<number> {
    await this.read(1);
    return this.size;
  }

  async shardPage(_channel: Channel, shard: SubscriberShard, cursor: string | null, limit: number): Promise<ShardPage> {
    const first = cursor === null ? shard.index : indexOf(cursor) + shard.of;
    const subscribers: Subscriber[] = [];
    let i = first;
    for (; i < this.size && subscribers.length < limit; i += shard.of) subscribers.push(subscriber(i));
    await this.read(subscribers.length);
    const last = subscribers[subscribers.length - 1];
    return { subscribers, next: i < this.size && last ? last.connectionId : null };
  }

  async *subscribers(_channel: Channel): AsyncIterable<Subscriber[]> {
    for (let at = 0; at < this.size; at += this.pageSize) {
      const page = Array.from({ length: Math.min(this.pageSize, this.size - at) }, (_, k) => subscriber(at + k));
      await this.read(page.length);
      yield page;
    }
  }

  async subscribe(_channel: Channel, _connection: Connection): Promise<boolean> {
    return true;
  }
  async unsubscribe(): Promise<boolean> {
    return false;
  }
  async isSubscribed(): Promise<boolean> {
    return true;
  }
  async member(_channel: Channel, connectionId: string): Promise<Subscriber | undefined> {
    return subscriber(indexOf(connectionId));
  }
  async members(channel: Channel, connectionIds: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const connectionId of connectionIds) {
      const member = await this.member(channel, connectionId);
      if (member) found.set(connectionId, member);
    }
    return found;
  }
  async page(_channel: Channel, limit: number, after?: string): Promise<SubscriberPage> {
    const start = after === undefined ? 0 : indexOf(after) + 1;
    const subscribers = Array.from({ length: Math.max(0, Math.min(limit, this.size - start)) }, (_, k) =>
      subscriber(start + k),
    );
    await this.read(subscribers.length);
    return { subscribers, more: start + limit < this.size };
  }

  private async read(items: number): Promise<void> {
    this.readRequests += 1;
    this.readUnits += Math.max(1, Math.ceil((items * this.model.itemBytes) / 4096));
    if (this.model.work) await this.model.work.processor.use(this.model.work.ms);
    await this.sim.sleep(logNormal(this.random, this.model.queryMedianMs, 0.3));
  }
}

export interface QueueModel {
  /** SendMessageBatch's own latency, and from then to visible to a poller. */
  sendMedianMs: number;
  deliveryMedianMs: number;
}

/** SQS in virtual time: jobs become visible after a short delay; requests are counted as SQS bills them. */
export class SimulatedQueue implements FanOutQueue {
  readonly visible: FanOutJob[] = [];
  messages = 0;
  requests = 0;
  pending = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly sim: VirtualTime,
    private readonly random: () => number,
    private readonly model: QueueModel,
  ) {}

  async enqueue(jobs: FanOutJob[]): Promise<void> {
    this.messages += jobs.length;
    this.requests += Math.ceil(jobs.length / 10);
    this.pending += jobs.length;
    await this.sim.sleep(logNormal(this.random, this.model.sendMedianMs, 0.3));
    void this.sim.sleep(logNormal(this.random, this.model.deliveryMedianMs, 0.5)).then(() => {
      this.pending -= jobs.length;
      this.visible.push(...jobs);
      this.wake();
    });
  }

  /** A poller's long poll: up to `max` jobs as soon as there are any; null once `closed` says so. */
  async take(max: number, closed: () => boolean): Promise<FanOutJob[] | null> {
    while (this.visible.length === 0) {
      if (closed()) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.requests += 2; // ReceiveMessage, then DeleteMessageBatch
    return this.visible.splice(0, max);
  }

  wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

const subscriber = (i: number): Subscriber => ({
  connectionId: `s${i}`,
  userId: `u${i}`,
  name: 'n',
  connectedAt: '2026-01-01T00:00:00.000Z',
});
const indexOf = (connectionId: string): number => Number(connectionId.slice(1));
