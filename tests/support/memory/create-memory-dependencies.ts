import type { Dependencies, Settings } from '../../../src/domain/dependencies';
import type { Article } from '../../../src/domain/ports/article-source';
import { FakeTokenSigner } from './fake-token-signer';
import { FixedClock } from './fixed-clock';
import { InMemoryConnectionRepository } from './in-memory-connection-repository';
import { InMemoryFanOutQueue } from './in-memory-fan-out-queue';
import { InMemoryFeedCursorRepository } from './in-memory-feed-cursor-repository';
import { InMemoryMessageLog } from './in-memory-message-log';
import { InMemoryPresenceChanges } from './in-memory-presence-changes';
import { InMemoryPresenceLedger } from './in-memory-presence-ledger';
import { InMemoryRateLimiter } from './in-memory-rate-limiter';
import { InMemorySessionHistory } from './in-memory-session-history';
import { InMemorySubscriptionRepository } from './in-memory-subscription-repository';
import { InMemoryUserRepository } from './in-memory-user-repository';
import { RecordingFeedScheduler } from './recording-feed-scheduler';
import { RecordingNotifier, type RecordingNotifierOptions } from './recording-notifier';
import { RecordingSignInExpiry } from './recording-sign-in-expiry';
import { SequentialIds } from './sequential-ids';
import { StaticArticleSource } from './static-article-source';

export interface MemoryDependencyOptions {
  /** Subscribers per page of the subscription repository. */
  pageSize?: number;
  notifier?: RecordingNotifierOptions;
  settings?: Partial<Settings>;
  now?: Date | string;
  article?: Partial<Article>;
}

/** `Dependencies` with the in-memory types kept, so tests can reach their inspection helpers. */
export interface MemoryDependencies extends Dependencies {
  connections: InMemoryConnectionRepository;
  subscriptions: InMemorySubscriptionRepository;
  subscriberShards: InMemorySubscriptionRepository;
  fanOutQueue: InMemoryFanOutQueue;
  presenceChanges: InMemoryPresenceChanges;
  presenceLedger: InMemoryPresenceLedger;
  messages: InMemoryMessageLog;
  users: InMemoryUserRepository;
  notifier: RecordingNotifier;
  clock: FixedClock;
  ids: SequentialIds;
  tokens: FakeTokenSigner;
  article: StaticArticleSource;
  feeds: InMemoryFeedCursorRepository;
  scheduler: RecordingFeedScheduler;
  rateLimiter: InMemoryRateLimiter;
  sessions: InMemorySessionHistory;
  signInExpiry: RecordingSignInExpiry;
}

/** A complete, isolated set of in-memory adapters: build a fresh one per test. */
export function createMemoryDependencies(options: MemoryDependencyOptions = {}): MemoryDependencies {
  const subscriptions = new InMemorySubscriptionRepository(
    options.pageSize === undefined ? {} : { pageSize: options.pageSize },
  );
  const users = new InMemoryUserRepository();
  return {
    connections: new InMemoryConnectionRepository(subscriptions),
    subscriptions,
    subscriberShards: subscriptions,
    fanOutQueue: new InMemoryFanOutQueue(),
    presenceChanges: new InMemoryPresenceChanges(),
    presenceLedger: new InMemoryPresenceLedger(),
    messages: new InMemoryMessageLog(),
    users,
    notifier: new RecordingNotifier(options.notifier),
    clock: new FixedClock(options.now),
    ids: new SequentialIds(),
    tokens: new FakeTokenSigner(),
    article: new StaticArticleSource(options.article),
    feeds: new InMemoryFeedCursorRepository(users),
    scheduler: new RecordingFeedScheduler(),
    rateLimiter: new InMemoryRateLimiter(),
    sessions: new InMemorySessionHistory(),
    signInExpiry: new RecordingSignInExpiry(),
    settings: { fanOutConcurrency: 10, ...options.settings },
  };
}
