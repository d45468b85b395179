import type { CfnValue } from './cfn-yaml';
import type { QueueModel, SqsEventSourceModel } from './queue-model';

/** A DynamoDB table as declared in the template (the parts dynalite understands). */
export interface TableModel {
  logicalId: string;
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

/** An HttpApi event of a function: `Type: HttpApi` with `Path` and `Method`. */
export interface HttpRouteModel {
  method: string;
  path: string;
  functionId: string;
  /** True when the route (or the API's default) uses `AWS_IAM`: the event then carries an IAM authorizer. */
  iam: boolean;
}

/** An `AWS::Serverless::Function` with Globals merged. */
export interface FunctionModel {
  logicalId: string;
  /** The `FunctionName` property, resolved, when the template names the function. */
  functionName?: string;
  /** Absolute path of the TypeScript (or JavaScript) entry file. */
  entryFile: string;
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Unresolved environment variables, Globals merged with the function's own. */
  environment: Record<string, CfnValue>;
}

/** A WebSocket route: its key, the function behind it, and whether the client gets the handler's response. */
export interface WebSocketRouteModel {
  routeKey: string;
  functionId: string | null;
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
