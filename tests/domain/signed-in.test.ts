import { ForbiddenError } from '../../src/domain/errors';
import { DEFAULT_ROOM } from '../../src/domain/model';
import type { SignedInIdentity } from '../../src/domain/signed-in-identity';
import { sendChat } from '../../src/domain/use-cases/chat';
import { hello } from '../../src/domain/use-cases/hello';
import { resetSession } from '../../src/domain/use-cases/reset-session';
import { whoIsHere } from '../../src/domain/use-cases/who';
import { createMemoryDependencies } from '../support/memory/create-memory-dependencies';
import { givenConnected, givenPresenceAnnounced, snapshotWrites } from './given';

const ALICE: SignedInIdentity = { method: 'jwt', subject: 'alice-sub', name: 'Alice' };

describe('a signed-in user', () => {
  it('is the token’s subject, namespaced by how they signed in, named by the provider', async () => {
    const deps = createMemoryDependencies();

    const { user, connection } = await givenConnected(deps, 'a1', { identity: ALICE });

    expect(user).toMatchObject({ userId: 'alice-sub@jwt', name: 'Alice', cursor: 0 });
    expect(connection).toMatchObject({ userId: 'alice-sub@jwt', name: 'Alice', resumed: false });
    expect(connection.signedIn).toEqual({ method: 'jwt' });
    expect(await deps.connections.get('a1')).toEqual(connection);
  });

  it('is the same user on every later handshake, cursor kept, and never the same as an IAM subject', async () => {
    const deps = createMemoryDependencies();
    const first = await givenConnected(deps, 'a1', { identity: ALICE });
    await deps.feeds.startLease(first.user.userId, 'lease-1');
    await deps.feeds.claim(first.user.userId, 'lease-1', 0, 42, 'rev-1');

    const again = await givenConnected(deps, 'a2', { identity: ALICE });
    const iam = await givenConnected(deps, 'i1', { identity: { method: 'iam', subject: 'alice-sub' } });

    expect(again.user).toMatchObject({ userId: 'alice-sub@jwt', cursor: 42 });
    expect(again.connection.resumed).toBe(true);
    expect(iam.user.userId).toBe('alice-sub@iam');
    expect(iam.user.name).toBe('guest-alices');
  });

  it('names two unnamed identity pool guests apart, from their identity ids rather than their Region', async () => {
    const deps = createMemoryDependencies();
    const guest = (id: string): SignedInIdentity => ({ method: 'iam', subject: `us-east-1:${id}` });

    const first = await givenConnected(deps, 'g1', { identity: guest('0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0') });
    const second = await givenConnected(deps, 'g2', { identity: guest('9a8b7c6d-1111-4222-8333-444455556666') });

    expect([first.user.name, second.user.name]).toEqual(['guest-0f1e2d', 'guest-9a8b7c']);
  });

  it('ignores a session token: the identity decides who connects', async () => {
    const deps = createMemoryDependencies();
    const anonymous = await givenConnected(deps, 'x1');
    const token = await deps.tokens.issue({ userId: anonymous.user.userId, issuedAt: deps.clock.now() });

    const { user } = await givenConnected(deps, 'a1', { identity: ALICE, token });

    expect(user.userId).toBe('alice-sub@jwt');
  });

  it('keeps the provider’s name when it is acceptable and falls back to ?name= when it is not', async () => {
    const deps = createMemoryDependencies();

    const named = await givenConnected(deps, 'b1', {
      identity: { method: 'jwt', subject: 'bob', name: 'Bob\u202e' },
      name: 'Bobby',
    });

    expect(named.user.name).toBe('Bobby');
    expect(named.connection.name).toBe('Bobby');
  });

  it('records when the sign-in expires on the connection', async () => {
    const deps = createMemoryDependencies();
    const expiresAt = new Date(deps.clock.now().getTime() + 60_000);

    const { connection } = await givenConnected(deps, 'a1', { identity: { ...ALICE, expiresAt } });

    expect(connection.signedIn).toEqual({ method: 'jwt', expiresAt: expiresAt.toISOString() });
  });

  it('has a session, chats and is present in the room like an anonymous user', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'a1', { identity: ALICE });
    await givenConnected(deps, 'b1', { name: 'Bob' });
    await givenPresenceAnnounced(deps);

    const session = await hello(deps, 'a1');
    await sendChat(deps, { connectionId: 'a1', text: 'hi', echoToSender: true });
    const who = await whoIsHere(deps, { room: 'chat' });

    expect(session).toMatchObject({ type: 'session', userId: 'alice-sub@jwt', resumed: false });
    expect(deps.notifier.framesOfType('b1', 'chat')).toEqual([
      expect.objectContaining({ room: DEFAULT_ROOM, message: 'hi', from: { userId: 'alice-sub@jwt', name: 'Alice' } }),
    ]);
    expect(deps.notifier.framesOfType('b1', 'presence')).toEqual([
      expect.objectContaining({ joined: [{ userId: 'alice-sub@jwt', name: 'Alice' }] }),
    ]);
    expect(who.users.map((user) => user.userId).sort()).toEqual(['alice-sub@jwt', 'id-1']);
  });

  it('may not reset: forbidden, and nothing is written', async () => {
    const deps = createMemoryDependencies();
    await givenConnected(deps, 'a1', { identity: ALICE });
    const before = snapshotWrites(deps);

    await expect(resetSession(deps, 'a1')).rejects.toBeInstanceOf(ForbiddenError);

    expect(snapshotWrites(deps)).toEqual(before);
    expect(await deps.users.get('alice-sub@jwt')).toMatchObject({ name: 'Alice' });
  });
});
