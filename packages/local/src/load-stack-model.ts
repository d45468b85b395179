import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { type CfnValue, parseCloudFormationYaml } from './cfn-yaml';
import { createIntrinsicResolver, type IntrinsicResolver } from './intrinsic-resolver';
import { readQueue, readSqsEventSources, type SqsEventSourceModel } from './queue-model';
import type {
  EsbuildBuildModel,
  FunctionModel,
  HttpRouteModel,
  IndexModel,
  JwtAuthorizerModel,
  RequestAuthorizerModel,
  StackModel,
  TableModel,
  WebSocketApiModel,
  WebSocketRouteModel,
} from './stack-model';

export interface LoadStackModelOptions {
  templatePath: string;
  /** Folder that `CodeUri` is relative to (default: the template's folder). */
  projectRoot?: string;
  /** Parameter values that replace the template defaults. */
  parameterOverrides?: Record<string, string>;
  /**
   * What `!Ref` of a resource resolves to (default: its logical id). The API ids go here: `protocolType` is an
   * `AWS::ApiGatewayV2::Api`'s `ProtocolType` (`WEBSOCKET` or `HTTP`), so the two APIs can get their own ids.
   */
  refResource?: (logicalId: string, type: string, protocolType?: string) => string;
}

export interface LoadedStack {
  model: StackModel;
  resolver: IntrinsicResolver;
  /**
   * The template's `Resources` (those whose `Condition` holds) and `Globals`, unresolved, for the checks the
   * model does not keep enough for.
   */
  resources: Record<string, CfnValue>;
  globals: Record<string, CfnValue>;
}

/** Thrown when the template lacks something the local stack cannot guess. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
const asList = (value: CfnValue | undefined): CfnValue[] => (Array.isArray(value) ? value : []);

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable']);

/** Reads template.yaml into the model the local stack runs from: one source of truth with the deployed stack. */
export function loadStackModel(options: LoadStackModelOptions): LoadedStack {
  const template = asObj(parseCloudFormationYaml(readFileSync(options.templatePath, 'utf8')));
  const projectRoot = options.projectRoot ?? dirname(options.templatePath);
  const resources = asObj(template.Resources);
  const resourceTypes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) resourceTypes[id] = String(asObj(resource).Type);

  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(asObj(template.Parameters))) {
    const fallback = asObj(parameter).Default;
    if (fallback !== undefined && fallback !== null) parameters[name] = String(fallback);
  }
  Object.assign(parameters, options.parameterOverrides);

  // `!Ref` of a table is its name, as in CloudFormation: the `TableName` property when the template gives one.
  const refResource = (logicalId: string, type: string): string =>
    TABLE_TYPES.has(type)
      ? (resolver.resolveString(asObj(asObj(resources[logicalId]).Properties).TableName) ?? logicalId)
      : (options.refResource?.(logicalId, type, apiProtocol(logicalId, type)) ?? logicalId);
  const apiProtocol = (logicalId: string, type: string): string | undefined =>
    type === 'AWS::ApiGatewayV2::Api'
      ? resolver.resolveString(asObj(asObj(resources[logicalId]).Properties).ProtocolType)
      : undefined;
  const resolver: IntrinsicResolver = createIntrinsicResolver({
    parameters,
    conditions: asObj(template.Conditions),
    resourceTypes,
    refResource,
  });
  // A resource whose `Condition` is false does not exist in the stack.
  const active: Obj = Object.fromEntries(
    Object.entries(resources).filter(([, resource]) => {
      const condition = asObj(resource).Condition;
      return typeof condition !== 'string' || resolver.condition(condition);
    }),
  );
  const byType = (type: string): [string, Obj, Obj][] =>
    Object.entries(active)
      .filter(([, resource]) => asObj(resource).Type === type)
      .map(([id, resource]) => [id, asObj(asObj(resource).Properties), asObj(asObj(resource).Metadata)]);

  const globals = asObj(asObj(template.Globals).Function);
  const functions = new Map<string, FunctionModel>();
  const httpRoutes: HttpRouteModel[] = [];
  const httpApiDefaultIam = byType('AWS::Serverless::HttpApi').some(
    ([, properties]) => resolver.resolveString(asObj(properties.Auth).DefaultAuthorizer) === 'AWS_IAM',
  );
  const sqsEventSources: SqsEventSourceModel[] = [];
  for (const [id, properties, metadata] of byType('AWS::Serverless::Function')) {
    // Not runnable here: left out of the model, and reported by the template checks (template-checks.ts).
    const isImage = resolver.resolveString(properties.PackageType ?? globals.PackageType) === 'Image';
    if (isImage || resolver.resolveString(properties.Handler ?? globals.Handler) === undefined) continue;
    functions.set(id, readFunction({ id, properties, metadata, globals, projectRoot, resolver, resources }));
    sqsEventSources.push(...readSqsEventSources(id, asObj(properties.Events), resolver));
    for (const event of Object.values(asObj(properties.Events))) {
      if (asObj(event).Type !== 'HttpApi') continue;
      const eventProps = asObj(asObj(event).Properties);
      const authorizer = resolver.resolveString(asObj(eventProps.Auth).Authorizer);
      httpRoutes.push({
        method: (resolver.resolveString(eventProps.Method) ?? 'ANY').toUpperCase(),
        path: resolver.resolveString(eventProps.Path) ?? '$default',
        functionId: id,
        authorization: (authorizer === undefined ? httpApiDefaultIam : authorizer === 'AWS_IAM') ? 'AWS_IAM' : 'NONE',
      });
    }
  }

  const tables = [
    ...byType('AWS::DynamoDB::Table').map(([id, properties]) => readTable(id, properties, resolver)),
    ...byType('AWS::Serverless::SimpleTable').map(([id, properties]) => readSimpleTable(id, properties, resolver)),
  ];
  httpRoutes.push(...readHttpApiRoutes(byType, resolver, functions));
  const webSocketApi = readWebSocketApi(byType, resolver, functions);
  // The WebSocket API's stage: an HTTP API of the template has a stage of its own (`$default`).
  const stageResource = byType('AWS::ApiGatewayV2::Stage').find(([, p]) => {
    const ref = asObj(p.ApiId).Ref;
    return ref === undefined || ref === webSocketApi?.logicalId;
  });
  const stage =
    (stageResource && resolver.resolveString(stageResource[1].StageName)) ?? parameters.StageName ?? 'production';

  const queues = byType('AWS::SQS::Queue').map(([id, properties]) => readQueue(id, properties, resolver));

  return {
    model: { stage, parameters, tables, functions, webSocketApi, httpRoutes, queues, sqsEventSources },
    resolver,
    resources: active,
    globals: asObj(template.Globals),
  };
}

interface FunctionSource {
  id: string;
  properties: Obj;
  metadata: Obj;
  globals: Obj;
  projectRoot: string;
  resolver: IntrinsicResolver;
  /** Every resource of the template, for the layers a function names. */
  resources: Obj;
}

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/** The file Lambda's Node.js runtime loads for a module path: as written, then `.js`, `.mjs`, `.cjs`. */
function lambdaEntryFile(modulePath: string): string {
  return ['', '.js', '.mjs', '.cjs'].map((ext) => modulePath + ext).find(isFile) ?? `${modulePath}.js`;
}

function readEsbuild(metadata: Obj, resolver: IntrinsicResolver): EsbuildBuildModel | null {
  const properties = asObj(metadata.BuildProperties);
  if (resolver.resolveString(metadata.BuildMethod) !== 'esbuild' && properties.EntryPoints === undefined) return null;
  const text = (value: CfnValue | undefined): string | undefined => resolver.resolveString(value);
  const mainFields = text(properties.MainFields);
  const banner = text(properties.Banner);
  return {
    format: text(properties.Format)?.toLowerCase() === 'esm' ? 'esm' : 'cjs',
    target: text(properties.Target) ?? 'es2020',
    external: asList(properties.External).map((entry) => text(entry) ?? ''),
    ...(mainFields ? { mainFields: mainFields.split(',').map((field) => field.trim()) } : {}),
    ...(banner ? { banner: banner.replace(/^js=/, '') } : {}),
  };
}

/** The node_modules folders of the local layers (`ContentUri` folders) a function names, in order. */
function readLayerModules(layers: CfnValue[], { resources, resolver, projectRoot }: FunctionSource): string[] {
  return layers.flatMap((reference) => {
    const layer = asObj(resources[resolver.resolveString(reference) ?? '']);
    const properties = asObj(layer.Properties);
    const content = resolver.resolve(properties.ContentUri ?? properties.Content);
    if (typeof content !== 'string') return [];
    const folder = resolvePath(projectRoot, content);
    const builtByNpm = resolver.resolveString(asObj(layer.Metadata).BuildMethod)?.startsWith('nodejs') ?? false;
    return [join(folder, 'nodejs', 'node_modules'), ...(builtByNpm ? [join(folder, 'node_modules')] : [])];
  });
}

/**
 * A function as `sam build` and Lambda would run it. `Handler` splits as Lambda's runtime splits it: the
 * module is everything up to the first dot of the last path segment, the rest is the (possibly nested) export.
 */
function readFunction(source: FunctionSource): FunctionModel {
  const { id, properties, metadata, globals, projectRoot, resolver } = source;
  const handler = resolver.resolveString(properties.Handler ?? globals.Handler);
  if (!handler) throw new TemplateError(`${id} has no Handler`);
  const dot = handler.indexOf('.', handler.lastIndexOf('/') + 1);
  if (dot < 0) throw new TemplateError(`${id}: Handler ${handler} names no export (write it as file.export)`);
  const modulePath = handler.slice(0, dot);
  const codeDir = resolvePath(projectRoot, resolver.resolveString(properties.CodeUri ?? globals.CodeUri) ?? './');
  const build = readEsbuild(metadata, resolver);
  const entryPoint = asList(asObj(metadata.BuildProperties).EntryPoints)[0];
  const entryFile = build
    ? resolvePath(codeDir, entryPoint !== undefined ? String(entryPoint) : `${modulePath}.ts`)
    : lambdaEntryFile(resolvePath(codeDir, modulePath));
  const functionName = resolver.resolveString(properties.FunctionName);
  return {
    logicalId: id,
    ...(functionName === undefined ? {} : { functionName }),
    codeDir,
    handler,
    entryFile,
    exportName: handler.slice(dot + 1),
    build,
    layerModules: readLayerModules([...asList(globals.Layers), ...asList(properties.Layers)], source),
    timeoutSeconds: Number(resolver.resolve(properties.Timeout ?? globals.Timeout) ?? 3),
    memoryMb: Number(resolver.resolve(properties.MemorySize ?? globals.MemorySize) ?? 128),
    environment: {
      ...asObj(asObj(globals.Environment).Variables),
      ...asObj(asObj(properties.Environment).Variables),
    },
  };
}

function readTable(id: string, properties: Obj, resolver: IntrinsicResolver): TableModel {
  const plain = resolver.resolve(properties) as {
    AttributeDefinitions?: TableModel['attributeDefinitions'];
    KeySchema?: TableModel['keySchema'];
    GlobalSecondaryIndexes?: IndexModel[];
    LocalSecondaryIndexes?: IndexModel[];
  };
  if (!plain.KeySchema || !plain.AttributeDefinitions) throw new TemplateError(`${id} has no KeySchema`);
  const tableName = resolver.resolveString(properties.TableName) ?? id;
  const indexes = (list: IndexModel[] | undefined): IndexModel[] | undefined =>
    list?.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }));
  const gsis = indexes(plain.GlobalSecondaryIndexes);
  const lsis = indexes(plain.LocalSecondaryIndexes);
  return {
    logicalId: id,
    tableName,
    attributeDefinitions: plain.AttributeDefinitions,
    keySchema: plain.KeySchema,
    ...(gsis ? { globalSecondaryIndexes: gsis } : {}),
    ...(lsis ? { localSecondaryIndexes: lsis } : {}),
  };
}

/** SAM's `AWS::Serverless::SimpleTable`: one hash key, `PrimaryKey` (default `id`, String). */
function readSimpleTable(id: string, properties: Obj, resolver: IntrinsicResolver): TableModel {
  const primaryKey = asObj(properties.PrimaryKey);
  const name = resolver.resolveString(primaryKey.Name) ?? 'id';
  const type = resolver.resolveString(primaryKey.Type) ?? 'String';
  const attributeType = SIMPLE_TABLE_TYPES[type];
  if (attributeType === undefined)
    throw new TemplateError(`${id}: PrimaryKey.Type ${type} is not String, Number or Binary`);
  return {
    logicalId: id,
    tableName: resolver.resolveString(properties.TableName) ?? id,
    attributeDefinitions: [{ AttributeName: name, AttributeType: attributeType }],
    keySchema: [{ AttributeName: name, KeyType: 'HASH' }],
  };
}

const SIMPLE_TABLE_TYPES: Record<string, string> = { String: 'S', Number: 'N', Binary: 'B' };

/** The logical id a `!Ref` names (an authorizer's id is what `!Ref` of it yields in AWS). */
const referencedId = (value: CfnValue | undefined, resolver: IntrinsicResolver): string => {
  const ref = asObj(value).Ref;
  return typeof ref === 'string' ? ref : (resolver.resolveString(value) ?? '');
};

const functionInUri = /function:([A-Za-z0-9-_]+)/;

function readWebSocketApi(
  byType: (type: string) => [string, Obj, Obj][],
  resolver: IntrinsicResolver,
  functions: Map<string, FunctionModel>,
): WebSocketApiModel | null {
  const api = byType('AWS::ApiGatewayV2::Api').find(([, p]) => resolver.resolveString(p.ProtocolType) === 'WEBSOCKET');
  if (!api) return null;
  const [apiId, apiProps] = api;
  const belongs = (p: Obj): boolean => {
    const ref = asObj(p.ApiId).Ref;
    return ref === undefined || ref === apiId;
  };

  const integrations = new Map<string, string | null>();
  for (const [id, p] of byType('AWS::ApiGatewayV2::Integration')) {
    const uri = resolver.resolveString(p.IntegrationUri) ?? '';
    const name = functionInUri.exec(uri)?.[1];
    integrations.set(id, name !== undefined && functions.has(name) ? name : null);
  }
  // API Gateway supports only the `$default` route response key, and picks it by evaluating the route's
  // RouteResponseSelectionExpression: a route returns the handler's response only with both.
  const withDefaultResponse = new Set(
    byType('AWS::ApiGatewayV2::RouteResponse')
      .filter(([, p]) => resolver.resolveString(p.RouteResponseKey) === '$default')
      .map(([, p]) => resolver.resolveString(p.RouteId)),
  );

  const authorizers = new Map<string, RequestAuthorizerModel>();
  for (const [id, p] of byType('AWS::ApiGatewayV2::Authorizer')) {
    if (!belongs(p) || resolver.resolveString(p.AuthorizerType) !== 'REQUEST') continue;
    const name = functionInUri.exec(resolver.resolveString(p.AuthorizerUri) ?? '')?.[1];
    authorizers.set(id, {
      logicalId: id,
      functionId: name !== undefined && functions.has(name) ? name : null,
      identitySources: (resolver.resolve(p.IdentitySource) as unknown[] | undefined)?.map(String) ?? [],
    });
  }

  const routes = new Map<string, WebSocketRouteModel>();
  for (const [id, p] of byType('AWS::ApiGatewayV2::Route')) {
    if (!belongs(p)) continue;
    const routeKey = resolver.resolveString(p.RouteKey);
    if (!routeKey) continue;
    const target = resolver.resolveString(p.Target) ?? '';
    const integrationId = target.replace(/^integrations\//, '');
    const authorizer =
      resolver.resolveString(p.AuthorizationType) === 'CUSTOM'
        ? authorizers.get(referencedId(p.AuthorizerId, resolver))
        : undefined;
    routes.set(routeKey, {
      routeKey,
      functionId: integrations.get(integrationId) ?? null,
      ...(authorizer ? { authorizer } : {}),
      returnsResponse:
        withDefaultResponse.has(id) && resolver.resolveString(p.RouteResponseSelectionExpression) === '$default',
      ...(resolver.resolveString(p.AuthorizationType) === 'AWS_IAM' ? { iam: true } : {}),
    });
  }
  return {
    logicalId: apiId,
    routeSelectionExpression: resolver.resolveString(apiProps.RouteSelectionExpression) ?? '$request.body.action',
    routes,
  };
}

/**
 * The routes of each `AWS::ApiGatewayV2::Api` of `ProtocolType: HTTP` declared as plain resources (`Route`s
 * whose `Target` is an `Integration` of a function of the template), with their `AuthorizationType`: `NONE`,
 * `AWS_IAM`, or `JWT` with the route's `AWS::ApiGatewayV2::Authorizer` of type JWT.
 */
function readHttpApiRoutes(
  byType: (type: string) => [string, Obj, Obj][],
  resolver: IntrinsicResolver,
  functions: Map<string, FunctionModel>,
): HttpRouteModel[] {
  const routes: HttpRouteModel[] = [];
  for (const [apiId] of byType('AWS::ApiGatewayV2::Api').filter(
    ([, p]) => resolver.resolveString(p.ProtocolType) === 'HTTP',
  )) {
    const belongs = (p: Obj): boolean => asObj(p.ApiId).Ref === apiId;
    const integrations = new Map<string, string>();
    for (const [id, p] of byType('AWS::ApiGatewayV2::Integration')) {
      const name = belongs(p) ? functionInUri.exec(resolver.resolveString(p.IntegrationUri) ?? '')?.[1] : undefined;
      if (name !== undefined && functions.has(name)) integrations.set(id, name);
    }
    const authorizers = new Map<string, JwtAuthorizerModel>();
    for (const [id, p] of byType('AWS::ApiGatewayV2::Authorizer')) {
      if (!belongs(p) || resolver.resolveString(p.AuthorizerType) !== 'JWT') continue;
      const configuration = asObj(p.JwtConfiguration);
      const issuer = resolver.resolveString(configuration.Issuer);
      if (!issuer) throw new TemplateError(`${id}: a JWT authorizer needs JwtConfiguration.Issuer`);
      const audience = asList(resolver.resolve(configuration.Audience) as CfnValue).map(String);
      authorizers.set(id, { logicalId: id, issuer, audience });
    }
    for (const [id, p] of byType('AWS::ApiGatewayV2::Route')) {
      if (!belongs(p)) continue;
      const routeKey = resolver.resolveString(p.RouteKey);
      const functionId = integrations.get((resolver.resolveString(p.Target) ?? '').replace(/^integrations\//, ''));
      // A route to anything but a function of the template (an HTTP proxy, a service) is not run here.
      if (!routeKey || functionId === undefined) continue;
      const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(' ', 2);
      const authorization = resolver.resolveString(p.AuthorizationType) ?? 'NONE';
      let jwt: JwtAuthorizerModel | undefined;
      if (authorization === 'JWT') {
        jwt = authorizers.get(referencedId(p.AuthorizerId, resolver));
        if (!jwt) throw new TemplateError(`${id} is JWT but its AuthorizerId names no JWT authorizer of ${apiId}`);
      }
      routes.push({
        method: (method ?? 'ANY').toUpperCase(),
        path: path ?? '$default',
        functionId,
        authorization: authorization === 'AWS_IAM' || authorization === 'JWT' ? authorization : 'NONE',
        ...(jwt ? { jwt } : {}),
      });
    }
  }
  return routes;
}
