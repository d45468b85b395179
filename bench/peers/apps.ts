/**
 * The same minimal app for each gateway, written by the bench into temporary folders: `$connect` stores the
 * connection id, `$disconnect` removes it, `$default` posts the frame's body to every stored connection through
 * `@connections` (all calls at once, `Promise.all`), or, for the text frame `count`, answers the sender with the
 * number of stored connections (how the bench counts stale records). Only the gateway differs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/child-stack';

const SDK = join(PROJECT_ROOT, 'node_modules', '@aws-sdk', 'client-apigatewaymanagementapi');

/** Map storage and the SDK client: the handlers for Switchboard's local stack and serverless-offline (in-process). */
function mapHandlers(endpointExpression: string): string {
  return `'use strict';
// Minimal app for the bench's peer comparison (written by bench/peers/apps.ts).
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require(${JSON.stringify(SDK)});
const connections = globalThis.__peerBenchConnections || (globalThis.__peerBenchConnections = new Map());
let client;
const management = () => client || (client = new ApiGatewayManagementApiClient({
  endpoint: ${endpointExpression}, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
}));
const post = (id, data) => management().send(new PostToConnectionCommand({ ConnectionId: id, Data: data }));

exports.onConnect = async (event) => {
  connections.set(event.requestContext.connectionId, Date.now());
  return { statusCode: 200 };
};
exports.onDisconnect = async (event) => {
  connections.delete(event.requestContext.connectionId);
  return { statusCode: 200 };
};
exports.onDefault = async (event) => {
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : String(event.body);
  if (body === 'count') {
    await post(event.requestContext.connectionId, JSON.stringify({ count: connections.size }));
    return { statusCode: 200 };
  }
  await Promise.all([...connections.keys()].map((id) => post(id, body).catch(() => undefined)));
  return { statusCode: 200 };
};
`;
}

/**
 * Switchboard's local stack: a template with one function behind $connect, $disconnect and $default (each
 * function runs in a container of its own, so the three routes share the Map only as one function, as in Lambda).
 */
export function writeSwitchboardApp(dir: string, wsPort: number): { templatePath: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'app.js'),
    `${mapHandlers(JSON.stringify(`http://localhost:${wsPort}`))}
const routes = { $connect: exports.onConnect, $disconnect: exports.onDisconnect };
exports.onRoute = (event) => (routes[event.requestContext.routeKey] ?? exports.onDefault)(event);
`,
  );
  const route = (name: string, routeKey: string): string => `
  ${name}Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WebSocketApi
      RouteKey: ${routeKey}
      Target: !Sub 'integrations/\${AppIntegration}'
`;
  const fn = `
  AppFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.onRoute
      Runtime: nodejs22.x
      Timeout: 30
      CodeUri: ./
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - app.js
  AppIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WebSocketApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\${AppFunction.Arn}/invocations'
${route('Connect', '$connect')}${route('Disconnect', '$disconnect')}${route('Default', '$default')}`;
  const template = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Minimal app for the bench's peer comparison (written by bench/peers/apps.ts).
Globals:
  Function:
    Environment:
      Variables:
        # The API's own @connections URL, as in AWS; the local stack redirects it to its gateway.
        MANAGEMENT_ENDPOINT: !Sub 'https://\${WebSocketApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/dev'
Resources:
  WebSocketApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: peer-bench
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref WebSocketApi
      StageName: dev
      AutoDeploy: true
${fn}`;
  const templatePath = join(dir, 'template.yaml');
  writeFileSync(templatePath, template);
  return { templatePath };
}

/** serverless@3 + serverless-offline@13: serverless.yml and the handlers in the install folder (where the plugin resolves). */
export function writeServerlessApp(dir: string, wsPort: number): void {
  writeFileSync(join(dir, 'app.js'), mapHandlers(JSON.stringify(`http://localhost:${wsPort}`)));
  writeFileSync(
    join(dir, 'serverless.yml'),
    `service: peer-bench
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs18.x
  region: us-east-1
  stage: dev
plugins:
  - serverless-offline
functions:
  connect:
    handler: app.onConnect
    timeout: 30
    events:
      - websocket: { route: $connect }
  disconnect:
    handler: app.onDisconnect
    timeout: 30
    events:
      - websocket: { route: $disconnect }
  default:
    handler: app.onDefault
    timeout: 30
    events:
      - websocket: { route: $default }
`,
  );
}

/**
 * Architect's sandbox runs every invocation in a new process, so a Map cannot outlive one: the connections are
 * stored in an \`@tables\` table (the sandbox's own dynalite) and sent with \`@architect/functions\`' \`arc.ws.send\`.
 */
export function writeArchitectApp(dir: string): void {
  writeFileSync(
    join(dir, 'app.arc'),
    `@app
peer-bench

@ws

@tables
conns
  id *String
`,
  );
  const handler = (body: string): string => `'use strict';
// Minimal app for the bench's peer comparison (written by bench/peers/apps.ts).
const arc = require('@architect/functions');
const all = async (conns) => {
  const ids = [];
  let key;
  do {
    const page = await conns.scan(key ? { ExclusiveStartKey: key } : {});
    for (const item of page.Items) ids.push(item.id);
    key = page.LastEvaluatedKey;
  } while (key);
  return ids;
};
exports.handler = async (event) => {
  const { conns } = await arc.tables();
  const id = event.requestContext.connectionId;
${body}
  return { statusCode: 200 };
};
`;
  const write = (name: string, body: string): void => {
    mkdirSync(join(dir, 'src', 'ws', name), { recursive: true });
    writeFileSync(join(dir, 'src', 'ws', name, 'index.js'), handler(body));
  };
  write('connect', '  await conns.put({ id });');
  write('disconnect', '  await conns.delete({ id });');
  write(
    'default',
    `  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : String(event.body);
  const ids = await all(conns);
  if (body === 'count') {
    await arc.ws.send({ id, payload: { count: ids.length } });
    return { statusCode: 200 };
  }
  let payload;
  try { payload = JSON.parse(body); } catch { payload = { body }; }
  await Promise.all(ids.map((to) => arc.ws.send({ id: to, payload }).catch(() => undefined)));`,
  );
}
