import {
  decideFromAuthorizerError,
  decideFromAuthorizerResponse,
  missingIdentitySource,
} from '../../packages/local/src/request-authorizer';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect';
const statement = (Effect: string, Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({
  Effect,
  Action,
  Resource,
});
const respond = (...Statement: unknown[]) => ({
  principalId: 'p',
  policyDocument: { Version: '2012-10-17', Statement },
});

describe("reading a REQUEST authorizer's response", () => {
  it.each([
    ['the method ARN itself', statement('Allow', ARN)],
    ['a wildcard over the API', statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc123/*')],
    [
      'a single-character wildcard',
      statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc123/pro?/$connect'),
    ],
    ['a list of resources', statement('Allow', ['arn:aws:execute-api:*:*:other/*', ARN])],
    ['any execute-api action, in any case', statement('Allow', ARN, ['Execute-Api:*'])],
  ])('allows on %s', (_name, allow) => {
    expect(decideFromAuthorizerResponse(respond(allow), ARN).kind).toBe('allow');
  });

  it('accepts a single statement that is not in a list', () => {
    const response = { principalId: 'p', policyDocument: { Statement: statement('Allow', ARN) } };

    expect(decideFromAuthorizerResponse(response, ARN).kind).toBe('allow');
  });

  it('refuses with 403 when an explicit Deny matches, even beside an Allow', () => {
    const decision = decideFromAuthorizerResponse(respond(statement('Allow', '*'), statement('Deny', ARN)), ARN);

    expect(decision).toMatchObject({ kind: 'refuse', status: 403 });
  });

  it('refuses with 403 when no statement allows the method ARN', () => {
    const decision = decideFromAuthorizerResponse(
      respond(statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect')),
      ARN,
    );

    expect(decision).toMatchObject({ kind: 'refuse', status: 403 });
  });

  it('refuses with 403 when the allowed action is not execute-api:Invoke', () => {
    const decision = decideFromAuthorizerResponse(
      respond(statement('Allow', ARN, 'execute-api:ManageConnections')),
      ARN,
    );

    expect(decision).toMatchObject({ kind: 'refuse', status: 403 });
  });

  it.each([
    ['no object at all', 'Allow'],
    ['no principalId', { policyDocument: { Statement: [statement('Allow', ARN)] } }],
    ['no policy', { principalId: 'p' }],
    ['an empty policy', { principalId: 'p', policyDocument: { Statement: [] } }],
    ['an Effect that is neither Allow nor Deny', respond(statement('Permit', ARN))],
    ['a resource that is not a string', respond(statement('Allow', [42]))],
    ['a context value that is a list', { ...respond(statement('Allow', ARN)), context: { roles: ['a'] } }],
  ])('answers 500 to %s', (_name, response) => {
    expect(decideFromAuthorizerResponse(response, ARN)).toMatchObject({ kind: 'refuse', status: 500 });
  });

  it('passes principalId and the context on as strings, and the context cannot replace principalId', () => {
    const response = {
      principalId: 7,
      policyDocument: { Statement: [statement('Allow', ARN)] },
      context: { name: 'Ann', level: 3, admin: true, principalId: 'forged' },
    };

    expect(decideFromAuthorizerResponse(response, ARN)).toEqual({
      kind: 'allow',
      authorizer: { name: 'Ann', level: '3', admin: 'true', principalId: '7' },
    });
  });
});

describe('a failed authorizer invocation', () => {
  it('is a 401 when the function failed with Unauthorized, and a 500 otherwise', () => {
    expect(decideFromAuthorizerError(new Error('Unauthorized'))).toMatchObject({ status: 401 });
    expect(decideFromAuthorizerError(new Error('unauthorized: bad token'))).toMatchObject({ status: 500 });
    expect(decideFromAuthorizerError(new TypeError('x is undefined'))).toMatchObject({ status: 500 });
  });
});

describe('identity sources', () => {
  const authorizer = {
    logicalId: 'A',
    functionId: 'F',
    identitySources: ['route.request.header.Auth', 'route.request.querystring.token'],
  };

  it('finds a header whatever its case, and a query parameter', () => {
    expect(missingIdentitySource(authorizer, { rawHeaders: ['aUTH', 'x'], query: 'token=t' })).toBeNull();
  });

  it('names the first source that is absent or empty', () => {
    expect(missingIdentitySource(authorizer, { rawHeaders: [], query: 'token=t' })).toBe('route.request.header.Auth');
    expect(missingIdentitySource(authorizer, { rawHeaders: ['Auth', 'x'], query: 'token=' })).toBe(
      'route.request.querystring.token',
    );
    expect(missingIdentitySource(authorizer, { rawHeaders: ['Auth', 'x'], query: 'Token=t' })).toBe(
      'route.request.querystring.token',
    );
  });
});
