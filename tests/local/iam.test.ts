import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_IAM_CREDENTIALS } from '../../packages/local/src/sigv4-credentials';
import type { LocalStack } from '../../packages/local/src/stack';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const WRONG: Credentials = {
  accessKeyId: LOCAL_IAM_CREDENTIALS.accessKeyId,
  secretAccessKey: 'not-the-local-secret-key',
};

/** The SDK's signer for API Gateway (`execute-api`). */
const signer = (credentials: Credentials = LOCAL_IAM_CREDENTIALS) =>
  new SignatureV4({ credentials, region: 'us-east-1', service: 'execute-api', sha256: Hash.bind(null, 'sha256') });

async function signedGet(url: string, credentials?: Credentials) {
  const { host, pathname } = new URL(url);
  const signed = await signer(credentials).sign({
    method: 'GET',
    protocol: 'http:',
    hostname: host,
    path: pathname,
    headers: { host },
  });
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, { headers });
}

/** A `$connect` URL presigned with SigV4 in the query string, as the SDK's `presign` makes it. */
async function presignedUrl(wsUrl: string, credentials?: Credentials) {
  const { host } = new URL(wsUrl);
  const presigned = await signer(credentials).presign(
    { method: 'GET', protocol: 'wss:', hostname: host, path: '/iam', query: {}, headers: { host } },
    { expiresIn: 60 },
  );
  return `${wsUrl}/iam?${new URLSearchParams(presigned.query as Record<string, string>)}`;
}

const managementClient = (stack: LocalStack, credentials: Credentials = LOCAL_IAM_CREDENTIALS) =>
  new ApiGatewayManagementApiClient({ endpoint: stack.connectionsUrl, region: 'us-east-1', credentials });

const startIamStack = (iam: boolean) =>
  startFixtureStack({ templatePath: join(FIXTURES, 'iam-template.yaml'), quiet: true, iam });

describe('the local stack with iam on', () => {
  let stack: LocalStack & { lines: string[] };
  beforeAll(async () => {
    stack = await startIamStack(true);
  });
  afterAll(() => stack.stop());

  it('prints the local key pair at start', () => {
    expect(stack.lines.join('\n')).toContain(LOCAL_IAM_CREDENTIALS.secretAccessKey);
  });

  describe('HTTP API routes with AWS_IAM', () => {
    it('refuses an unsigned request and one signed with another secret with 403 Forbidden', async () => {
      const unsigned = await fetch(`${stack.httpUrl}/whoami`);
      const wrong = await signedGet(`${stack.httpUrl}/whoami`, WRONG);

      expect([unsigned.status, await unsigned.json()]).toEqual([403, { message: 'Forbidden' }]);
      expect([wrong.status, await wrong.json()]).toEqual([403, { message: 'Forbidden' }]);
    });

    it('runs a request signed with the local key pair, with the caller in requestContext.authorizer.iam', async () => {
      const response = await signedGet(`${stack.httpUrl}/whoami`);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        authorizer: {
          iam: expect.objectContaining({
            accessKey: LOCAL_IAM_CREDENTIALS.accessKeyId,
            accountId: '123456789012',
            userArn: 'arn:aws:iam::123456789012:user/local',
          }),
        },
      });
    });

    it('checks nothing on routes without AWS_IAM', async () => {
      const response = await fetch(`${stack.httpUrl}/open`);

      expect([response.status, await response.json()]).toEqual([200, { authorizer: null }]);
    });
  });

  describe('@connections', () => {
    it('refuses an unsigned call and a wrong signature with ForbiddenException', async () => {
      const unsigned = await fetch(`${stack.connectionsUrl}/iam/@connections/abc=`, { method: 'POST', body: 'x' });
      const wrong = await managementClient(stack, WRONG)
        .send(new PostToConnectionCommand({ ConnectionId: 'abc=', Data: 'x' }))
        .catch((e: unknown) => e);

      expect(unsigned.status).toBe(403);
      expect(wrong).toBeInstanceOf(ForbiddenException);
    });

    it('answers a call signed with the local key pair (here: the connection is gone)', async () => {
      const error = await managementClient(stack)
        .send(new PostToConnectionCommand({ ConnectionId: 'abc=', Data: 'x' }))
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GoneException);
    });
  });

  describe('$connect with AuthorizationType AWS_IAM', () => {
    it('refuses an unsigned URL and one presigned with another secret with 403', async () => {
      await expect(openSocket(`${stack.wsUrl}/iam`)).rejects.toMatchObject({ status: 403 });
      await expect(openSocket(await presignedUrl(stack.wsUrl, WRONG))).rejects.toMatchObject({ status: 403 });
    });

    it('accepts a presigned URL and gives $connect the caller in requestContext.identity', async () => {
      const socket = await openSocket(await presignedUrl(stack.wsUrl));

      // The function posts back what $connect saw, through @connections signed with its own credentials.
      socket.ws.send('whoami');
      const identity = await socket.next();
      socket.ws.close();

      expect(identity).toMatchObject({
        accessKey: LOCAL_IAM_CREDENTIALS.accessKeyId,
        accountId: '123456789012',
        caller: LOCAL_IAM_CREDENTIALS.accessKeyId,
        userArn: 'arn:aws:iam::123456789012:user/local',
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        sourceIp: '127.0.0.1',
      });
    });
  });
});

describe('the local stack with iam off', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startIamStack(false);
  });
  afterAll(() => stack.stop());

  it('checks no signature anywhere', async () => {
    const http = await fetch(`${stack.httpUrl}/whoami`);
    const socket = await openSocket(`${stack.wsUrl}/iam`);
    socket.ws.send('whoami');
    const identity = await socket.next();
    socket.ws.close();

    expect(http.status).toBe(200);
    expect(identity).toEqual({ sourceIp: '127.0.0.1', userAgent: '' });
  });
});
