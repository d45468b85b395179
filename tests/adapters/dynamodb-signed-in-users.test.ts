import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/dynamodb-connection-repository';
import { DynamoDbUserRepository } from '../../src/adapters/dynamodb/dynamodb-user-repository';
import type { Connection, User } from '../../src/domain/model';
import { type EmbeddedTable, ManualClock, startEmbeddedTable } from '../support/embedded-table';

let embedded: EmbeddedTable;
let clock: ManualClock;
let users: DynamoDbUserRepository;
let connections: DynamoDbConnectionRepository;

beforeAll(async () => {
  clock = new ManualClock();
  embedded = await startEmbeddedTable(clock);
  users = new DynamoDbUserRepository(embedded.table, { sessionTtlSeconds: 7 * 24 * 3600 });
  connections = new DynamoDbConnectionRepository(embedded.table);
});
afterAll(() => embedded.stop());

function aUser(userId: string, name: string): User {
  return { userId, name, createdAt: clock.now().toISOString(), cursor: 0 };
}

describe('DynamoDbUserRepository.ensure (signed-in users)', () => {
  it('creates the user at the first handshake and returns the stored one afterwards, cursor kept', async () => {
    const first = await users.ensure(aUser('carol@jwt', 'Carol'), { rename: true });
    await embedded.table.client.send(
      new UpdateCommand({
        TableName: embedded.table.tableName,
        Key: { pk: 'USER#carol@jwt', sk: 'PROFILE' },
        UpdateExpression: 'SET #cursor = :cursor',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':cursor': 17 },
      }),
    );
    clock.advance(60_000);

    const again = await users.ensure(aUser('carol@jwt', 'Caroline'), { rename: true });
    const unnamed = await users.ensure(aUser('carol@jwt', 'guest-carolj'), { rename: false });

    expect(first).toEqual({ user: aUserAt('carol@jwt', 'Carol', first.user.createdAt), created: true });
    expect(again).toEqual({ user: { ...first.user, name: 'Caroline', cursor: 17 }, created: false });
    expect(unnamed.user.name).toBe('Caroline');
    expect(await users.get('carol@jwt')).toEqual({ ...first.user, name: 'Caroline', cursor: 17 });
  });

  it('agrees on one user when two first handshakes race', async () => {
    const results = await Promise.all([
      users.ensure(aUser('dan@iam', 'Dan'), { rename: true }),
      users.ensure(aUser('dan@iam', 'Dan'), { rename: true }),
    ]);

    expect(results.filter((result) => result.created)).toHaveLength(1);
  });
});

describe('a signed-in connection record', () => {
  it('keeps how it signed in and until when', async () => {
    const connection: Connection = {
      connectionId: 'signed-1=',
      userId: 'carol@jwt',
      name: 'Carol',
      connectedAt: clock.now().toISOString(),
      resumed: true,
      signedIn: { method: 'jwt', expiresAt: '2026-11-22T11:00:00.000Z' },
    };

    await connections.register(connection);

    expect(await connections.get('signed-1=')).toEqual(connection);
  });
});

function aUserAt(userId: string, name: string, createdAt: string): User {
  return { userId, name, createdAt, cursor: 0 };
}
