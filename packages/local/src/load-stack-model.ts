import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { type CfnValue, parseCloudFormationYaml } from './cfn-yaml';
import { createIntrinsicResolver, type IntrinsicResolver } from './intrinsic-resolver';
import { readQueue, readSqsEventSources, type SqsEventSourceModel } from './queue-model';
import type {
  FunctionModel,
  HttpRouteModel,
  IndexModel,
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
  /** What `!Ref` of a resource resolves to (default: its logical id). The API ids go here. */
  refResource?: (logicalId: string, type: string) => string;
}

export interface LoadedStack {
  model: StackModel;
  resolver: IntrinsicResolver;
}

/** Thrown when the template lacks something the local stack cannot guess. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
const asList = (value: CfnValue | undefined): CfnValue[] => (Array.isArray(value) ? value : []);

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

  const resolver = createIntrinsicResolver({
    parameters,
    conditions: asObj(template.Conditions),
    resourceTypes,
    ...(options.refResource ? { refResource: options.refResource } : {}),
  });
  const byType = (type: string): [string, Obj, Obj][] =>
    Object.entries(resources)
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
    functions.set(id, readFunction({ id, properties, metadata, globals, projectRoot, resolver }));
    sqsEventSources.push(...readSqsEventSources(id, asObj(properties.Events), resolver));
    for (const event of Object.values(asObj(properties.Events))) {
      if (asObj(event).Type !== 'HttpApi') continue;
      const eventProps = asObj(asObj(event).Properties);
      const authorizer = resolver.resolveString(asObj(eventProps.Auth).Authorizer);
      httpRoutes.push({
        method: (resolver.resolveString(eventProps.Method) ?? 'ANY').toUpperCase(),
        path: resolver.resolveString(eventProps.Path) ?? '$default',
        functionId: id,
        iam: authorizer === undefined ? httpApiDefaultIam : authorizer === 'AWS_IAM',
      });
    }
  }

  const tables = byType('AWS::DynamoDB::Table').map(([id, properties]) => readTable(id, properties, resolver));
  const webSocketApi = readWebSocketApi(byType, resolver, functions);
  const stageResource = byType('AWS::ApiGatewayV2::Stage')[0];
  const stage =
    (stageResource && resolver.resolveString(stageResource[1].StageName)) ?? parameters.StageName ?? 'production';

  const queues = byType('AWS::SQS::Queue').map(([id, properties]) => readQueue(id, properties, resolver));

  return {
    model: { stage, parameters, tables, functions, webSocketApi, httpRoutes, queues, sqsEventSources },
    resolver,
  };
}

interface FunctionSource {
  id: string;
  properties: Obj;
  metadata: Obj;
  globals: Obj;
  projectRoot: string;
  resolver: IntrinsicResolver;
}

function readFunction({ id, properties, metadata, globals, projectRoot, resolver }: FunctionSource): FunctionModel {
  const handler = resolver.resolveString(properties.Handler ?? globals.Handler);
  if (!handler) throw new TemplateError(`${id} has no Handler`);
  const dot = handler.lastIndexOf('.');
  const codeUri = resolver.resolveString(properties.CodeUri ?? globals.CodeUri) ?? './';
  const entryPoints = asList(asObj(metadata.BuildProperties).EntryPoints);
  const entry = entryPoints[0] !== undefined ? String(entryPoints[0]) : `${handler.slice(0, dot)}.ts`;
  const functionName = resolver.resolveString(properties.FunctionName);
  return {
    logicalId: id,
    ...(functionName === undefined ? {} : { functionName }),
    entryFile: resolvePath(projectRoot, codeUri, entry),
    exportName: handler.slice(dot + 1),
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
  const indexes = (list: IndexModel[] | undefined): IndexModel[] | undefined =>
    list?.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }));
  const gsis = indexes(plain.GlobalSecondaryIndexes);
  const lsis = indexes(plain.LocalSecondaryIndexes);
  return {
    logicalId: id,
    attributeDefinitions: plain.AttributeDefinitions,
    keySchema: plain.KeySchema,
    ...(gsis ? { globalSecondaryIndexes: gsis } : {}),
    ...(lsis ? { localSecondaryIndexes: lsis } : {}),
  };
}

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

  const routes = new Map<string, WebSocketRouteModel>();
  for (const [id, p] of byType('AWS::ApiGatewayV2::Route')) {
    if (!belongs(p)) continue;
    const routeKey = resolver.resolveString(p.RouteKey);
    if (!routeKey) continue;
    const target = resolver.resolveString(p.Target) ?? '';
    const integrationId = target.replace(/^integrations\//, '');
    routes.set(routeKey, {
      routeKey,
      functionId: integrations.get(integrationId) ?? null,
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
