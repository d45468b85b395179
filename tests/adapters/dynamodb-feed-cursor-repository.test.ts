import { DynamoDbFeedCursorRepository } from '../../src/adapters/dynamodb/dynamodb-feed-cursor-repository';
import { DynamoDbUserRepository } from '../../src/adapters/dynamodb/dynamodb-user-repository';
import { type EmbeddedTable, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let feeds: DynamoDbFeedCursorRepository;
let users: DynamoDbUserRepository;

async function givenUser(userId: string): Promise<string> {
  await users.create({ userId, name: 'Reader', createdAt: '2026-11-22T10:00:00.000Z', cursor: 0 });
  return userId;
}

beforeAll(async () => {
  embedded = await startEmbeddedTable();
  feeds = new DynamoDbFeedCursorRepository(embedded.table);
  users = new DynamoDbUserRepository(embedded.table, { sessionTtlSeconds: 3600 });
});
afterAll(() => embedded.stop());

describe('DynamoDbFeedCursorRepository', () => {
  it('claims chunks in order while the lease holds, and records the revision they count in', async () => {
    const userId = await givenUser('feed-claims');
    await feeds.startLease(userId, 'lease-1');

    const claims = [
      await feeds.claim(userId, 'lease-1', 0, 10, 'rev-1'),
      await feeds.claim(userId, 'lease-1', 0, 10, 'rev-1'),
      await feeds.claim(userId, 'lease-2', 10, 20, 'rev-1'),
    ];

    expect(claims).toEqual([true, false, false]);
    expect(await feeds.read(userId)).toEqual({ cursor: 10, revision: 'rev-1', leaseId: 'lease-1' });
    expect(await users.get(userId)).toMatchObject({ cursor: 10, feedRevision: 'rev-1' });
  });

  it('gives a chunk back for the stream that claimed it', async () => {
    const userId = await givenUser('feed-release');
    await feeds.startLease(userId, 'lease-1');
    await feeds.claim(userId, 'lease-1', 0, 10, 'rev-1');

    await feeds.release(userId, 'lease-1', 0, 10);

    expect(await feeds.read(userId)).toMatchObject({ cursor: 0 });
  });

  it('ignores a chunk given back by a stream that was taken over, even at the same cursor', async () => {
    const userId = await givenUser('feed-takeover');
    await feeds.startLease(userId, 'old');
    await feeds.claim(userId, 'old', 0, 10, 'rev-1');
    await feeds.startLease(userId, 'new');

    await feeds.release(userId, 'old', 0, 10);

    expect(await feeds.read(userId)).toEqual({ cursor: 10, revision: 'rev-1', leaseId: 'new' });
    expect(await feeds.claim(userId, 'new', 10, 20, 'rev-1')).toBe(true);
  });

  it('starts over at 0 of another revision only for the lease holder', async () => {
    const userId = await givenUser('feed-restart');
    await feeds.startLease(userId, 'lease-1');
    await feeds.claim(userId, 'lease-1', 0, 10, 'rev-1');

    const byOther = await feeds.restart(userId, 'lease-2', 'rev-2');
    const byHolder = await feeds.restart(userId, 'lease-1', 'rev-2');

    expect([byOther, byHolder]).toEqual([false, true]);
    expect(await feeds.read(userId)).toEqual({ cursor: 0, revision: 'rev-2', leaseId: 'lease-1' });
  });
});
