import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { LOCAL_IAM_CREDENTIALS } from '../../packages/local/src/sigv4-credentials';
import { WEBSOCKET_ARTICLE } from '../../src/adapters/article/websocket-article';
import { type E2eStack, startE2eStack } from './support/e2e-stack';
import type { Frame, TestClient } from './support/test-client';

/**
 * AuthMode=iam end to end: `$connect` is `AWS_IAM`, the local gateway checks the SigV4 query-string signature
 * (with `iam` on) against the local key pair, and real clients connect with URLs presigned by the SDK's signer,
 * as a browser with Cognito identity pool credentials or a device with an IAM user's keys would. The local
 * gateway knows one signer, the local IAM user, so every signed connection here is that user; the Cognito
 * identity id (which API Gateway fills only for identity pool credentials) is covered at the handler, in
 * tests/handlers/connect-sign-in.test.ts, from events/connect-iam.json.
 */
const LOCAL_USER_ARN = 'arn:aws:iam::123456789012:user/local';
const USER_ID = `${LOCAL_USER_ARN}@iam`;

let e2e: E2eStack;

interface Presign {
  /** Parameters signed along with the URL (`name`, `topicName`, `room`). */
  query?: Record<string, string>;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  signingDate?: Date;
  expiresIn?: number;
}

/** The `$connect` query of a URL presigned with the SDK's signer (service `execute-api`), as docs/auth.md shows. */
async function presignedQuery({
  query = {},
  credentials = LOCAL_IAM_CREDENTIALS,
  signingDate,
  expiresIn = 60,
}: Presign = {}): Promise<Record<string, string>> {
  const { host } = new URL(e2e.stack.wsUrl);
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: 'execute-api',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'wss:', hostname: host, path: '/', query, headers: { host } },
    { expiresIn, ...(signingDate ? { signingDate } : {}) },
  );
  return signed.query as Record<string, string>;
}

const connectSigned = async (presign: Presign = {}): Promise<TestClient> => e2e.connect(await presignedQuery(presign));

/** The HTTP status a refused handshake got, or 'accepted'. */
const handshakeStatus = (query: Record<string, string>) =>
  e2e.connect(query).then(
    () => 'accepted',
    (error: { statusCode?: number }) => error.statusCode,
  );

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('signing in with SigV4 (AuthMode=iam) through the local gateway', () => {
  beforeAll(async () => {
    e2e = await startE2eStack({}, { AuthMode: 'iam' }, { iam: true });
  });
  afterAll(() => e2e?.stop());

  // First, while no handshake has made the user yet: a refusal must leave no user, connection or subscription.
  it('refuses an unsigned, a tampered, a re-signed-by-another-key and an expired URL with 403, writing nothing', async () => {
    const flipped = (signature: string) => `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const signed = await presignedQuery({ query: { topicName: 'iam-tampered' } });
    const refused: Record<string, Record<string, string>> = {
      unsigned: { topicName: 'iam-unsigned' },
      'tampered signature': { ...signed, 'X-Amz-Signature': flipped(signed['X-Amz-Signature'] ?? '') },
      'parameter added after signing': {
        ...(await presignedQuery()),
        topicName: 'iam-added',
      },
      'another secret key': await presignedQuery({
        query: { topicName: 'iam-other-secret' },
        credentials: { ...LOCAL_IAM_CREDENTIALS, secretAccessKey: 'not-the-local-secret-key-0000000000000000' },
      }),
      'another access key': await presignedQuery({
        query: { topicName: 'iam-other-key' },
        credentials: { accessKeyId: 'AKIAOTHERLOCALKEY000', secretAccessKey: LOCAL_IAM_CREDENTIALS.secretAccessKey },
      }),
      expired: await presignedQuery({
        query: { topicName: 'iam-expired' },
        signingDate: new Date(Date.now() - 120_000),
        expiresIn: 60,
      }),
      'signed for later': await presignedQuery({
        query: { topicName: 'iam-future' },
        signingDate: new Date(Date.now() + 20 * 60_000),
      }),
    };

    const statuses: Record<string, unknown> = {};
    for (const [why, query] of Object.entries(refused)) statuses[why] = await handshakeStatus(query);

    expect(statuses).toEqual(Object.fromEntries(Object.keys(refused).map((why) => [why, 403])));
    expect(await e2e.partition(`USER#${USER_ID}`)).toEqual([]);
    for (const topic of ['unsigned', 'tampered', 'added', 'other-secret', 'other-key', 'expired', 'future']) {
      expect(await e2e.partition(`SUBS#topic:iam-${topic}`)).toEqual([]);
    }
    // The same URL, untouched, is accepted, makes the user and subscribes: the checks above could see a write.
    const control = await e2e.connect(signed);
    expect(await control.session()).toMatchObject({ userId: USER_ID, resumed: false, cursor: 0 });
    expect(await e2e.partition('SUBS#topic:iam-tampered')).toHaveLength(1);
  });

  it('makes the signer the user {userArn}@iam, resumed by every later signed connection', async () => {
    // The first test's control connection made the user.
    const first = await connectSigned({ query: { name: 'Ada' } });
    const session = await first.session();
    // ?token= is no session token in this mode: a stale one signed into the URL changes nothing.
    const again = await connectSigned({ query: { token: 'not-a-session-token' } });

    expect(session).toMatchObject({ userId: USER_ID, resumed: true, cursor: 0 });
    expect(await again.session()).toMatchObject({ userId: USER_ID, resumed: true });
    expect(await e2e.partition(`USER#${USER_ID}`)).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: USER_ID })]),
    );
  });

  it('carries the feed cursor to the next signed connection, which reads on from the client’s last character', async () => {
    const feedText = (client: TestClient) =>
      client
        .ofType('feed')
        .map((frame) => String(frame.text))
        .join('');
    const first = await connectSigned();
    await first.session();
    first.send({ action: 'teleread' });
    await first.nextN((frame) => frame.type === 'feed', 20, 10_000);
    first.kill();
    const held = feedText(first);

    const second = await connectSigned();
    const resumed = await second.session();
    second.send({ action: 'teleread', cursor: [...held].length });
    await second.nextN((frame) => frame.type === 'feed', 20, 10_000);
    second.send({ action: 'stop' });

    expect(resumed).toMatchObject({ userId: USER_ID, resumed: true });
    expect(Number(resumed.cursor)).toBeGreaterThanOrEqual([...held].length);
    expect(WEBSOCKET_ARTICLE.text.startsWith(held + feedText(second))).toBe(true);
  }, 30_000);

  it('accepts temporary credentials (with a session token) from a provider, as identity pool clients sign', async () => {
    const provider: AwsCredentialIdentityProvider = async () => ({
      ...LOCAL_IAM_CREDENTIALS,
      sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN',
      expiration: new Date(Date.now() + 3600_000),
    });
    const query = await presignedQuery({ credentials: provider });

    const client = await e2e.connect(query);

    expect(query['X-Amz-Security-Token']).toBe('IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN');
    expect(await client.session()).toMatchObject({ userId: USER_ID });
  });

  it('gives the signed-in user chat, who and presence, with every connection of the credentials as one user', async () => {
    const phone = await connectSigned({ query: { name: 'Phone' } });
    const laptop = await connectSigned({ query: { name: 'Laptop' } });
    await Promise.all([phone.session(), laptop.session()]);

    phone.send({ action: 'sendmessage', message: 'hi from the phone' });
    const chat = await laptop.next((frame) => frame.type === 'chat' && frame.message === 'hi from the phone');
    const who = await laptop.request({ action: 'who' }, (frame) => frame.type === 'who');

    expect(chat).toMatchObject({ from: { userId: USER_ID, name: 'Phone' } });
    // Every connection of this stack signed with the same key: one user, on several connections.
    const users = who.users as Array<{ userId: string; connections: number }>;
    expect(users.map((user) => user.userId)).toEqual([USER_ID]);
    expect(users[0]?.connections).toBeGreaterThanOrEqual(2);
    // The presence worker announced the user in the lobby: its ledger has them.
    await waitUntil(async () =>
      (await e2e.partition('PRESENCE#lobby')).some((item: Frame) => item.sk === `USER#${USER_ID}`),
    );
  });

  it('accepts the URL npm run presign prints, with its signed name', async () => {
    const root = join(__dirname, '..', '..');
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'scripts', 'presign.ts'), '--url', e2e.stack.wsUrl, '--name', 'Shell'],
      { env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const printed = new URL(stdout.trim());

    const client = await e2e.connect(Object.fromEntries(printed.searchParams));
    const from = client.frames.length;
    client.send({ action: 'sendmessage', message: 'signed from a shell' });
    const chat = await client.next(
      (frame) => frame.type === 'chat' && frame.message === 'signed from a shell',
      5000,
      from,
    );

    expect(printed.origin).toBe(e2e.stack.wsUrl);
    expect(chat).toMatchObject({ from: { userId: USER_ID, name: 'Shell' } });
  });

  it('refuses reset with forbidden and keeps the user', async () => {
    const client = await connectSigned();

    const refused = await client.request({ action: 'reset' }, (frame) => frame.type === 'error');

    expect(refused).toMatchObject({ code: 'forbidden', action: 'reset' });
    expect(await client.session()).toMatchObject({ userId: USER_ID, resumed: true });
    expect(await e2e.partition(`USER#${USER_ID}`)).not.toEqual([]);
  });
});
