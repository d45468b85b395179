import type { FanOutPlanSettings } from './fan-out/fan-out-plan';
import type { ArticleSource } from './ports/article-source';
import type { Clock } from './ports/clock';
import type { ConnectionRepository } from './ports/connection-repository';
import type { FanOutQueue } from './ports/fan-out-queue';
import type { FeedCursorRepository } from './ports/feed-cursor-repository';
import type { FeedScheduler } from './ports/feed-scheduler';
import type { IdGenerator } from './ports/id-generator';
import type { MessageLog } from './ports/message-log';
import type { Notifier } from './ports/notifier';
import type { PresenceChanges } from './ports/presence-changes';
import type { PresenceLedger } from './ports/presence-ledger';
import type { RateLimiter } from './ports/rate-limiter';
import type { SessionHistory } from './ports/session-history';
import type { SignInExpiry } from './ports/sign-in-expiry';
import type { SubscriberShards } from './ports/subscriber-shards';
import type { SubscriptionRepository } from './ports/subscription-repository';
import type { TokenSigner } from './ports/token-signer';
import type { UserRepository } from './ports/user-repository';

export interface Settings {
  /** How many sends one broadcast keeps in flight. */
  fanOutConcurrency: number;
  /** A connection this young is not removed on a 410 (see `CONNECT_GRACE_MS`). */
  connectGraceMs?: number;
  /** When a broadcast goes to the fan-out workers instead of being delivered in place; absent: always in place. */
  fanOutPlan?: FanOutPlanSettings;
  /** Topic subscriptions a connection may hold; `LIMITS.subscriptionsPerConnection` when absent. */
  maxSubscriptionsPerConnection?: number;
  /** Named rooms a connection may be in (the default room does not count); `LIMITS.roomsPerConnection` when absent. */
  maxRoomsPerConnection?: number;
  /** Whether `$connect` puts the connection in the default room; true when absent. */
  joinDefaultRoomOnConnect?: boolean;
  /** How presence is announced; `PRESENCE_DEFAULTS` when absent. */
  presence?: PresenceSettings;
}

export interface PresenceSettings {
  /** A member receives at most one presence frame per room per interval. */
  intervalMs: number;
  /** Rooms with more users than this announce counts only. */
  rosterMax: number;
}

export const PRESENCE_DEFAULTS: PresenceSettings = { intervalMs: 1000, rosterMax: 1000 };

/** Everything the use cases need, built once by the composition root (the notifier per request). */
export interface Dependencies {
  connections: ConnectionRepository;
  subscriptions: SubscriptionRepository;
  /** The subscribers of large channels, in disjoint slices for the fan-out workers. */
  subscriberShards: SubscriberShards;
  fanOutQueue: FanOutQueue;
  /** Where connect, disconnect, join, leave and reset mark a user's presence in a room as changed. */
  presenceChanges: PresenceChanges;
  /** What each room was last told about its members (the presence worker's state). */
  presenceLedger: PresenceLedger;
  messages: MessageLog;
  users: UserRepository;
  notifier: Notifier;
  clock: Clock;
  ids: IdGenerator;
  tokens: TokenSigner;
  article: ArticleSource;
  feeds: FeedCursorRepository;
  scheduler: FeedScheduler;
  rateLimiter: RateLimiter;
  sessions: SessionHistory;
  /** Where `$connect` asks to be told when a signed-in connection's token expires. */
  signInExpiry: SignInExpiry;
  settings: Settings;
}
