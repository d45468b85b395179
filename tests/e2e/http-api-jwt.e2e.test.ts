import { type OidcIssuer, startOidcIssuer } from '../../scripts/local/oidc-issuer';
import { type E2eStack, startE2eStack } from './support/e2e-stack';

/**
 * HttpApiAuth=jwt end to end: the template's HTTP API routes are JWT-authorised, and the local HTTP API checks
 * bearer tokens against the local OIDC issuer, as API Gateway's JWT authorizer does.
 */
let issuer: OidcIssuer;
let e2e: E2eStack;

beforeAll(async () => {
  issuer = await startOidcIssuer({ dataDir: null, port: 0 });
  e2e = await startE2eStack({}, { HttpApiAuth: 'jwt', JwtIssuer: issuer.issuer, JwtAudience: issuer.audience });
});
afterAll(async () => {
  await e2e?.stop();
  await issuer?.stop();
});

async function http(
  path: string,
  { method = 'GET', body, token }: { method?: string; body?: unknown; token?: string },
) {
  const response = await fetch(`${e2e.stack.httpUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the HTTP API with HttpApiAuth=jwt', () => {
  it('publishes and reads with a token of the issuer: the subscriber gets the message', async () => {
    const { token } = await issuer.mint({ sub: 'backend-service' });
    const subscriber = await e2e.connect();
    await subscriber.request({ action: 'subscribe', topic: 'jwt-news' }, (frame) => frame.type === 'subscribed');

    const posted = await http('/topics/jwt-news/messages', { method: 'POST', body: { message: 'signed in' }, token });
    const delivered = await subscriber.next((frame) => frame.type === 'message' && frame.topic === 'jwt-news');
    const read = await http('/topics/jwt-news/messages?since=0', { token });

    expect(posted).toMatchObject({ status: 202, body: { topic: 'jwt-news', seq: 1 } });
    expect(delivered).toMatchObject({ message: 'signed in', seq: 1 });
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain('signed in');
  });

  it('refuses a request without a token, or with a token for another audience, with 401 and runs nothing', async () => {
    const otherAudience = (await issuer.mint({ sub: 'backend-service', audience: 'another-app' })).token;

    const missing = await http('/topics/jwt-refused/messages', { method: 'POST', body: { message: 'no' } });
    const wrong = await http('/users/alice/messages', {
      method: 'POST',
      body: { message: 'no' },
      token: otherAudience,
    });
    const read = await http('/topics/jwt-refused/messages?since=0', { token: (await issuer.mint({ sub: 'x' })).token });

    expect([missing, wrong]).toEqual(Array(2).fill({ status: 401, body: { message: 'Unauthorized' } }));
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain('"no"');
  });
});
