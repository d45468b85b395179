import { readFileSync } from 'node:fs';
import { parseCloudFormationYaml } from '../../packages/local/src/cfn-yaml';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { translateTemplate } from '../../scripts/verify-deploy/sam-translate';
import { PROJECT_ROOT, TEMPLATE } from '../support/embedded-table';

/**
 * The template in each `AuthMode`: what `$connect` requires, which sign-in resources exist, and that the SAM
 * transform (as `sam deploy` runs it, with the mode's parameter overrides) accepts it.
 */
type Resource = { Type: string; Condition?: string; Properties?: Record<string, unknown> };
const template = parseCloudFormationYaml(readFileSync(TEMPLATE, 'utf8')) as { Resources: Record<string, Resource> };

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const MODES: Array<[mode: string, overrides: Record<string, string>, authorization: string]> = [
  ['anonymous', {}, 'NONE'],
  ['jwt', { AuthMode: 'jwt', JwtIssuer: ISSUER, JwtAudience: 'example-client-id' }, 'CUSTOM'],
  ['iam', { AuthMode: 'iam' }, 'AWS_IAM'],
];

const SIGN_IN_RESOURCES = [
  'AuthorizerFunction',
  'AuthorizerLogGroup',
  'SignInAuthorizer',
  'AuthorizerPermission',
  'SignInExpiryQueue',
  'SignInExpiryWorkerFunction',
  'SignInExpiryWorkerLogGroup',
];

function inMode(overrides: Record<string, string>) {
  const { resolver } = loadStackModel({
    templatePath: TEMPLATE,
    projectRoot: PROJECT_ROOT,
    parameterOverrides: overrides,
  });
  const route = template.Resources.ConnectRoute?.Properties ?? {};
  const exists = (id: string) => {
    const condition = template.Resources[id]?.Condition;
    return condition === undefined || resolver.condition(condition);
  };
  return {
    authorizationType: resolver.resolve(route.AuthorizationType as never),
    authorizerId: resolver.resolve(route.AuthorizerId as never),
    signInResources: SIGN_IN_RESOURCES.filter(exists),
    authModeVariable: resolver.resolve({ Ref: 'AuthMode' }),
  };
}

describe('template.yaml in each AuthMode', () => {
  it.each(MODES)('%s: $connect is authorised (%j) with %s', (mode, overrides, authorization) => {
    const resolved = inMode(overrides);

    expect(resolved.authorizationType).toBe(authorization);
    expect(resolved.authModeVariable).toBe(mode);
    if (mode === 'jwt') {
      expect(resolved.authorizerId).toBe('SignInAuthorizer');
      expect(resolved.signInResources).toEqual(SIGN_IN_RESOURCES);
    } else {
      expect(resolved.authorizerId).toBeUndefined();
      expect(resolved.signInResources).toEqual([]);
    }
  });

  it('hands every function the mode, and the authorizer only the issuer settings', () => {
    const globals = readFileSync(TEMPLATE, 'utf8');
    const authorizer = template.Resources.AuthorizerFunction?.Properties as {
      Environment: { Variables: object };
      Policies?: unknown;
    };

    expect(globals).toMatch(/^ {8}AUTH_MODE: !Ref AuthMode$/m);
    expect(Object.keys(authorizer.Environment.Variables).sort()).toEqual([
      'JWT_AUDIENCE',
      'JWT_ISSUER',
      'JWT_JWKS_URL',
      'JWT_NAME_CLAIM',
    ]);
    // Verifying a token needs no AWS permission: the role has the basic execution policy SAM gives, nothing more.
    expect(authorizer.Policies).toBeUndefined();
  });

  it.each(MODES)(
    '%s: translates with the SAM transform, with that mode’s parameter overrides',
    async (_mode, overrides) => {
      const result = await translateTemplate(TEMPLATE, overrides);

      // aws-sam-translator comes with cfn-lint, which CI installs before the tests.
      expect(result).toMatchObject({ kind: 'translated' });
    },
    60_000,
  );

  describe('HttpApiAuth: the HTTP API', () => {
    const ROUTES = [
      'GET /topics/{topic}/messages',
      'GET /users/{userId}/sessions',
      'POST /topics/{topic}/messages',
      'POST /users/{userId}/messages',
    ];
    const httpRoutes = (overrides: Record<string, string>) =>
      loadStackModel({ templatePath: TEMPLATE, projectRoot: PROJECT_ROOT, parameterOverrides: overrides }).model
        .httpRoutes;

    it('is IAM-authorised by default: every route AWS_IAM, no JWT authorizer', () => {
      const routes = httpRoutes({});

      expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(ROUTES);
      expect(routes.map((route) => [route.authorization, route.jwt])).toEqual(Array(4).fill(['AWS_IAM', undefined]));
      expect(template.Resources.HttpJwtAuthorizer?.Condition).toBe('HttpJwt');
    });

    it('with HttpApiAuth=jwt: every route JWT, with the API’s JWT authorizer of JwtIssuer and JwtAudience', () => {
      const routes = httpRoutes({ HttpApiAuth: 'jwt', JwtIssuer: ISSUER, JwtAudience: 'example-client-id' });
      const authorizer = template.Resources.HttpJwtAuthorizer?.Properties;

      expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(ROUTES);
      expect(routes.map((route) => [route.authorization, route.jwt])).toEqual(
        Array(4).fill(['JWT', { logicalId: 'HttpJwtAuthorizer', issuer: ISSUER, audience: ['example-client-id'] }]),
      );
      expect(authorizer).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    });

    it.each([
      ['HttpApiAuth=jwt', { HttpApiAuth: 'jwt', JwtIssuer: ISSUER, JwtAudience: 'example-client-id' }],
      [
        'HttpApiAuth=jwt with AuthMode=jwt',
        { AuthMode: 'jwt', HttpApiAuth: 'jwt', JwtIssuer: ISSUER, JwtAudience: 'example-client-id' },
      ],
    ])(
      '%s: translates with the SAM transform',
      async (_name, overrides) => {
        await expect(translateTemplate(TEMPLATE, overrides)).resolves.toMatchObject({ kind: 'translated' });
      },
      60_000,
    );
  });
});
