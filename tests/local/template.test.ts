import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '../../packages/local/src/cfn-yaml';
import { createIntrinsicResolver } from '../../packages/local/src/intrinsic-resolver';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import { FIXTURES } from './support/fixture-stack';

const PROJECT_ROOT = join(__dirname, '..', '..');

describe('the project template, read by the local stack', () => {
  const { model } = loadStackModel({ templatePath: join(PROJECT_ROOT, 'template.yaml'), projectRoot: PROJECT_ROOT });

  it('finds the WebSocket routes and the functions behind them', () => {
    const routes = model.webSocketApi?.routes;

    expect(model.webSocketApi?.routeSelectionExpression).toBe('$request.body.action');
    expect([...(routes?.keys() ?? [])]).toEqual(
      expect.arrayContaining([
        '$connect',
        '$disconnect',
        '$default',
        'hello',
        'ping',
        'reset',
        'subscribe',
        'unsubscribe',
        'publish',
        'sendmessage',
        'send',
        'history',
        'who',
        'join',
        'leave',
      ]),
    );
    for (const route of routes?.values() ?? []) {
      expect(route.functionId).not.toBeNull();
      expect(model.functions.get(route.functionId ?? '')?.entryFile).toMatch(/src\/handlers\/.+\.ts$/);
    }
  });

  it("declares no two-way route: replies go through @connections, never as a handler's return value", () => {
    const twoWay = [...(model.webSocketApi?.routes.values() ?? [])].filter((route) => route.returnsResponse);

    expect(twoWay).toEqual([]);
  });

  it('finds its table with the key schema', () => {
    expect(model.tables.map((t) => t.logicalId)).toContain('SwitchboardTable');
    expect(model.tables[0]?.keySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('takes the stage from the StageName parameter default', () => {
    expect(model.stage).toBe(model.parameters.StageName);
  });

  it('runs the presence worker from its queue with the batching window of one presence interval', () => {
    const source = model.sqsEventSources.find((candidate) => candidate.functionId === 'PresenceWorkerFunction');

    expect(source).toEqual({
      functionId: 'PresenceWorkerFunction',
      eventName: 'PresenceChanges',
      queueId: 'PresenceQueue',
      batchSize: 1000,
      maximumBatchingWindowSeconds: Number(model.parameters.PresenceIntervalSeconds),
      reportBatchItemFailures: true,
      maximumConcurrency: Number(model.parameters.PresenceWorkerConcurrency),
    });
    expect(source?.maximumBatchingWindowSeconds).toBe(1);
  });
});

describe('the project template, as CloudFormation deploys it', () => {
  const template = parseCloudFormationYaml(readFileSync(join(PROJECT_ROOT, 'template.yaml'), 'utf8')) as unknown as {
    Parameters: Record<string, { Type: string; MinValue?: number; MaxValue?: number }>;
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
  };
  const { model, resolver } = loadStackModel({
    templatePath: join(PROJECT_ROOT, 'template.yaml'),
    projectRoot: PROJECT_ROOT,
  });
  const ofType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);

  it('names no function, so that every name fits 64 characters whatever the stack is called', () => {
    const named = ofType('AWS::Serverless::Function').filter((fn) => fn.Properties.FunctionName !== undefined);

    expect(named).toEqual([]);
  });

  it('lets API Gateway invoke each function only for its own routes on this stage (HTTP: on its one stage)', () => {
    const sources = ofType('AWS::Lambda::Permission').map(
      (p) => resolver.resolveString(p.Properties.SourceArn as never) ?? '',
    );
    const routeKeys = [...(model.webSocketApi?.routes.keys() ?? [])];
    // AuthMode=jwt: API Gateway may invoke the authorizer function through that one authorizer only.
    const authorizers = sources.filter((arn) => arn.split('/')[1] === 'authorizers');
    expect(authorizers).toEqual([expect.stringMatching(/\/authorizers\/SignInAuthorizer$/)]);
    sources.splice(sources.indexOf(authorizers[0] ?? ''), 1);
    // The HTTP API's: each route's method and path, a path parameter being any value (`*`), on its one stage.
    const httpRoutes = model.httpRoutes.map((route) => `${route.method} ${route.path}`);
    const http = sources.filter((arn) => arn.split(':').at(-1)?.startsWith('HttpApi/'));
    expect(http.map((arn) => arn.split('/').slice(2).join('/')).sort()).toEqual(
      httpRoutes.map((key) => key.replace(' /', '/').replace(/\{[^/]+\}/g, '*')).sort(),
    );
    expect(http.every((arn) => arn.split('/')[1] === '*')).toBe(true);
    for (const arn of http) sources.splice(sources.indexOf(arn), 1);

    expect(sources.filter((arn) => arn.includes('*'))).toEqual([]);
    expect(sources.map((arn) => arn.split('/').slice(1))).toEqual(
      expect.arrayContaining(routeKeys.map((key) => [model.stage, key])),
    );
    expect(sources).toHaveLength(routeKeys.length);
  });

  it('lets every function that posts to @connections mark presence changes: a 410 removes a connection, and its close is a change', () => {
    const statements = (fn: { Properties: Record<string, unknown> }) =>
      ((fn.Properties.Policies ?? []) as Array<{ Statement?: Array<{ Action: unknown; Resource: unknown }> }>).flatMap(
        (policy) => policy.Statement ?? [],
      );
    const grants = (fn: { Properties: Record<string, unknown> }, action: string) =>
      statements(fn)
        .filter((statement) => [statement.Action].flat().includes(action))
        .flatMap((statement) => [statement.Resource].flat());
    // The feed stops its stream on a failed post and never removes a connection; every other poster may.
    const feeds = new Set(['FeedFunction', 'FeedWorkerFunction']);
    const posting = Object.entries(template.Resources).filter(
      ([id, resource]) =>
        resource.Type === 'AWS::Serverless::Function' &&
        !feeds.has(id) &&
        grants(resource, 'execute-api:ManageConnections').length > 0,
    );
    const unable = posting
      .filter(([, fn]) =>
        grants(fn, 'sqs:SendMessage').every(
          (resource) => JSON.stringify(resource) !== JSON.stringify({ 'Fn::GetAtt': ['PresenceQueue', 'Arn'] }),
        ),
      )
      .map(([id]) => id);

    expect(posting.length).toBeGreaterThan(5);
    expect(unable).toEqual([]);
  });

  it('bounds every numeric parameter, so CloudFormation refuses a value out of range before creating anything', () => {
    const unbounded = Object.entries(template.Parameters)
      .filter(([, p]) => p.Type === 'Number' && (p.MinValue === undefined || p.MaxValue === undefined))
      .map(([name]) => name);

    expect(unbounded).toEqual([]);
  });

  it('keeps the table and the token secret when the stack is deleted or they are replaced', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret']) {
      expect(ofType(type)).toHaveLength(1);
      for (const resource of ofType(type))
        expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
  });

  it('gives every function a log group of its own, with the retention parameter', () => {
    const groups = ofType('AWS::Serverless::Function').map(
      (fn) => (fn.Properties.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref,
    );
    const logGroups = groups.map((id) => template.Resources[id ?? '']);

    expect(new Set(groups).size).toBe(groups.length);
    for (const group of logGroups) {
      expect(group?.Type).toBe('AWS::Logs::LogGroup');
      expect(group?.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
    }
  });

  it('gives the feed function a worker name that the local Lambda Invoke API knows', () => {
    const name = resolver.resolveString(model.functions.get('FeedFunction')?.environment.FEED_WORKER_FUNCTION);

    expect(model.functions.has(name ?? '')).toBe(true);
  });
});

describe('the fixture template', () => {
  it('finds route responses, HttpApi events and Globals merged into each function', () => {
    const { model } = loadStackModel({ templatePath: join(FIXTURES, 'template.yaml'), projectRoot: FIXTURES });

    const routes = model.webSocketApi?.routes;
    expect(routes?.get('reply')).toEqual({ routeKey: 'reply', functionId: 'ReplyFunction', returnsResponse: true });
    expect(routes?.get('echo')?.returnsResponse).toBe(false);
    expect(routes?.get('replyWithoutExpression')?.returnsResponse).toBe(false);
    expect(routes?.get('replyWithoutRouteResponse')?.returnsResponse).toBe(false);
    expect(model.httpRoutes).toContainEqual({
      method: 'POST',
      path: '/things/{id}',
      functionId: 'HttpFunction',
      authorization: 'AWS_IAM',
    });
    expect(model.functions.get('ThrowFunction')?.timeoutSeconds).toBe(1);
    expect(model.functions.get('EchoFunction')?.environment).toMatchObject({
      ECHO_ONLY: 'yes',
      TABLE_NAME: { Ref: 'ConnectionsTable' },
    });
    expect(model.tables[0]?.globalSecondaryIndexes?.[0]?.IndexName).toBe('gsi1');
  });
});

describe('CloudFormation intrinsics', () => {
  const resolver = createIntrinsicResolver({
    parameters: { Stage: 'prod', Empty: '' },
    conditions: { IsEmpty: { 'Fn::Equals': [{ Ref: 'Empty' }, ''] } },
    resourceTypes: { Table: 'AWS::DynamoDB::Table', Api: 'AWS::ApiGatewayV2::Api' },
    refResource: (id, type) => (type === 'AWS::ApiGatewayV2::Api' ? 'abcdefghij' : id),
  });
  const resolveYaml = (yaml: string): unknown => resolver.resolve(parseCloudFormationYaml(yaml) as never);

  it.each([
    ['!Ref Stage', 'prod'],
    ['{ Ref: Stage }', 'prod'],
    ['!Ref Table', 'Table'],
    [
      "!Sub 'https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}'",
      'https://abcdefghij.execute-api.us-east-1.amazonaws.com/prod',
    ],
    ["!Sub ['${A}-${Stage}-${!Literal}', { A: !Ref Table }]", 'Table-prod-${Literal}'],
    ['{ "Fn::Sub": "${Table.Arn}" }', 'arn:aws:dynamodb:us-east-1:123456789012:table/Table'],
    ['!GetAtt Table.Arn', 'arn:aws:dynamodb:us-east-1:123456789012:table/Table'],
    ['{ "Fn::GetAtt": [Table, StreamArn] }', 'Table.StreamArn'],
    ['!If [IsEmpty, yes, no]', 'yes'],
    ['!Not [!Condition IsEmpty]', false],
    ['!Join [",", [a, !Ref Stage]]', 'a,prod'],
    ['!Select [1, !Split [",", "x,y,z"]]', 'y'],
    ['!If [IsEmpty, !Ref AWS::NoValue, x]', undefined],
  ])('resolves %s', (yaml, expected) => {
    expect(resolveYaml(yaml)).toEqual(expected);
  });

  it('refuses what only AWS can resolve', () => {
    expect(() => resolveYaml('!ImportValue other-stack-output')).toThrow(/cannot be resolved locally/);
    expect(() => resolveYaml('!Ref Nowhere')).toThrow(/Unresolvable reference/);
  });
});
