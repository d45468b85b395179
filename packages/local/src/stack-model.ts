import type { CfnValue } from './cfn-yaml';
import type { QueueModel, SqsEventSourceModel } from './queue-model';

/** A DynamoDB table (or SAM SimpleTable) as declared in the template (the parts dynalite understands). */
export interface TableModel {
  logicalId: string;
  /** The name it is created under: its `TableName` (resolved), else the logical id. `!Ref` yields it too. */
  tableName: string;
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  keySchema: { AttributeName: string; KeyType: string }[];
  globalSecondaryIndexes?: IndexModel[];
  localSecondaryIndexes?: IndexModel[];
}

export interface IndexModel {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
}

/**
 * A route of the HTTP API: a function's SAM `HttpApi` event (`Path` and `Method`), or an
 * `AWS::ApiGatewayV2::Route` of an HTTP-protocol API (`RouteKey`).
 */
export interface HttpRouteModel {
  method: string;
  path: string;
  functionId: string;
  /**
   * `AWS_IAM` (the route or the SAM API's default): the event carries an IAM authorizer; `JWT`: a bearer token
   * checked against `jwt`; `NONE`: nothing.
   */
  authorization: 'NONE' | 'AWS_IAM' | 'JWT';
  /** The route's JWT authorizer, when `authorization` is `JWT`. */
  jwt?: JwtAuthorizerModel;
}

/** An `AWS::ApiGatewayV2::Authorizer` of type JWT (an HTTP API's own): the issuer and audiences it accepts. */
export interface JwtAuthorizerModel {
  logicalId: string;
  /** `JwtConfiguration.Issuer`: the `iss` of accepted tokens, whose OIDC discovery names the keys. */
  issuer: string;
  /** `JwtConfiguration.Audience`: a token's `aud` (or `client_id`) must be one of these. */
  audience: string[];
}

/** How `sam build` bundles a function with `BuildMethod: esbuild` (from its `BuildProperties`). */
export interface EsbuildBuildModel {
  format: 'cjs' | 'esm';
  target: string;
  external: string[];
  mainFields?: string[];
  banner?: string;
}

/** An `AWS::Serverless::Function` with Globals merged. */
export interface FunctionModel {
  logicalId: string;
  /** The `FunctionName` property, resolved, when the template names the function. */
  functionName?: string;
  /** Absolute `CodeUri` folder: the function's own package.json and node_modules (`LAMBDA_TASK_ROOT`). */
  codeDir: string;
  /** The `Handler` property as written (`app.handler`, `src/app.lambdaHandler`). */
  handler: string;
  /**
   * Absolute path of the entry file: the esbuild entry point when the function is built with esbuild, else
   * the JavaScript file `Handler` names (`.js`, `.mjs` or `.cjs`, as Lambda looks for them).
   */
  entryFile: string;
  /** The handler's export, possibly nested (`handlers.connect`). */
  exportName: string;
  /** Bundle with esbuild before loading, or null to load `entryFile` as it is. */
  build: EsbuildBuildModel | null;
  /** `node_modules` folders of the function's local layers, in order (Lambda's `/opt/nodejs/node_modules`). */
  layerModules: string[];
  timeoutSeconds: number;
  memoryMb: number;
  /** Unresolved environment variables, Globals merged with the function's own. */
  environment: Record<string, CfnValue>;
}

/**
 * An `AWS::ApiGatewayV2::Authorizer` of type REQUEST: a Lambda function of the template that API Gateway runs
 * before `$connect`, once every identity source is present.
 */
export interface RequestAuthorizerModel {
  logicalId: string;
  /** The function its `AuthorizerUri` names, or null when it names none of the template's (a template check). */
  functionId: string | null;
  /** `route.request.header.X` or `route.request.querystring.X` expressions, as in the template. */
  identitySources: string[];
}

/** A WebSocket route: its key, the function behind it, and whether the client gets the handler's response. */
export interface WebSocketRouteModel {
  routeKey: string;
  functionId: string | null;
  /** The route's `AuthorizationType: CUSTOM` authorizer (API Gateway allows one only on `$connect`). */
  authorizer?: RequestAuthorizerModel;
  /**
   * Two-way: the route has a `$default` RouteResponse and its `RouteResponseSelectionExpression` is `$default`.
   * API Gateway evaluates the expression to pick the RouteResponse, so it needs both.
   */
  returnsResponse: boolean;
  /** `AuthorizationType: AWS_IAM` (only `$connect` may have it): with `iam` on, the URL must be SigV4-presigned. */
  iam?: boolean;
}

export interface WebSocketApiModel {
  logicalId: string;
  routeSelectionExpression: string;
  routes: Map<string, WebSocketRouteModel>;
}

/** What the local stack needs from template.yaml. */
export interface StackModel {
  stage: string;
  parameters: Record<string, string>;
  tables: TableModel[];
  functions: Map<string, FunctionModel>;
  webSocketApi: WebSocketApiModel | null;
  httpRoutes: HttpRouteModel[];
  queues: QueueModel[];
  sqsEventSources: SqsEventSourceModel[];
}
