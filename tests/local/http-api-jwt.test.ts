import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import type { LocalStack } from '../../packages/local/src/stack';
import { type OidcIssuer, startOidcIssuer } from '../../scripts/local/oidc-issuer';
import { FIXTURES, startFixtureStack } from './support/fixture-stack';

/**
 * An HTTP API declared as plain `AWS::ApiGatewayV2` resources, with a JWT authorizer of its own: the local HTTP
 * API checks the bearer token against the issuer (keys found by its OIDC discovery), as API Gateway does.
 */
const TEMPLATE = join(FIXTURES, 'http-jwt-template.yaml');
let issuer: OidcIssuer;
let stack: LocalStack & { lines: string[] };

const get = (path: string, authorization?: string) =>
  fetch(`${stack.httpUrl}${path}`, authorization ? { headers: { authorization } } : {});

beforeAll(async () => {
  issuer = await startOidcIssuer({ dataDir: null, port: 0 });
  stack = await startFixtureStack({
    templatePath: TEMPLATE,
    parameters: { JwtIssuer: issuer.issuer, JwtAudience: issuer.audience },
  });
});

afterAll(async () => {
  await stack?.stop();
  await issuer?.stop();
});

describe('an HTTP API of AWS::ApiGatewayV2 resources', () => {
  it('reads its routes with their AuthorizationType, and the JWT authorizer’s issuer and audience', () => {
    const { model } = loadStackModel({
      templatePath: TEMPLATE,
      projectRoot: FIXTURES,
      parameterOverrides: { JwtIssuer: 'https://issuer.example.com', JwtAudience: 'app' },
    });

    expect(model.httpRoutes).toEqual(
      expect.arrayContaining([
        {
          method: 'GET',
          path: '/users/{id}',
          functionId: 'ProbeFunction',
          authorization: 'JWT',
          jwt: { logicalId: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audience: ['app'] },
        },
        { method: 'POST', path: '/signed', functionId: 'ProbeFunction', authorization: 'AWS_IAM' },
        { method: 'ANY', path: '$default', functionId: 'ProbeFunction', authorization: 'NONE' },
      ]),
    );
    expect(model.httpRoutes).toHaveLength(3);
  });

  it('runs a JWT route for a token of the issuer, with its claims in requestContext.authorizer.jwt', async () => {
    const { token } = await issuer.mint({ sub: 'alice', name: 'Alice' });

    const response = await get('/users/alice', `Bearer ${token}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      authorizer: {
        jwt: {
          claims: expect.objectContaining({
            sub: 'alice',
            name: 'Alice',
            iss: issuer.issuer,
            aud: issuer.audience,
            exp: expect.stringMatching(/^\d+$/),
          }),
          scopes: null,
        },
      },
    });
  });

  it('refuses a missing, malformed, foreign or other-audience token with 401 Unauthorized, and says why in the log', async () => {
    const foreignKey = (await generateKeyPair('RS256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: 'foreign' })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setExpirationTime(now + 600)
      .sign(foreignKey);
    const otherAudience = (await issuer.mint({ sub: 'bob', audience: 'another-app' })).token;

    const refused = await Promise.all(
      [undefined, 'Bearer', 'Bearer not-a-jwt', `Bearer ${foreign}`, `Bearer ${otherAudience}`].map(
        async (authorization) => {
          const response = await get('/users/x', authorization);
          return [response.status, await response.json()];
        },
      ),
    );

    expect(refused).toEqual(Array(5).fill([401, { message: 'Unauthorized' }]));
    expect(stack.lines.join('\n')).toMatch(/GET \/users\/\{id\} 401 \(JWT: .*aud/);
  });

  it('checks nothing on its AWS_IAM route without --iam, and on its open route', async () => {
    const signed = await fetch(`${stack.httpUrl}/signed`, { method: 'POST', body: '{}' });
    const open = await get('/anything');

    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({
      authorizer: { iam: expect.objectContaining({ accountId: '123456789012' }) },
    });
    expect([open.status, await open.json()]).toEqual([200, { authorizer: null }]);
  });
});
