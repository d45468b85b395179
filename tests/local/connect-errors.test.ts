import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../packages/local/src/stack';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

/** A WebSocket API whose `$connect` runs `app.<exportName>` from the `fn` folder. */
const template = (exportName: string): string => `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    Timeout: 1
    CodeUri: fn/
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: connect-errors
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: test
      AutoDeploy: true
  ConnectFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.${exportName}
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${ConnectFunction.Arn}/invocations"
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $connect
      Target: !Sub "integrations/\${ConnectIntegration}"
`;

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'switchboard-connect-errors-'));
  mkdirSync(join(scratch, 'fn'));
});

afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A stack on `template(exportName)`, with `source` as its `fn/app.mjs`. */
async function stackWith(exportName: string, source: string): Promise<LocalStack> {
  writeFileSync(join(scratch, 'fn', 'app.mjs'), source);
  writeFileSync(join(scratch, 'template.yaml'), template(exportName));
  return startFixtureStack({ templatePath: join(scratch, 'template.yaml'), projectRoot: scratch });
}

it('refuses the handshake with 502 when the $connect handler is not exported, as docs/local-gateway.md says', async () => {
  const stack = await stackWith('notExported', 'export const handler = async () => ({ statusCode: 200 });\n');
  try {
    await expect(openSocket(stack.wsUrl)).rejects.toMatchObject({ status: 502 });
  } finally {
    await stack.stop();
  }
});

it('stops at once while a $connect waits on a module that never finishes loading', async () => {
  const stack = await stackWith(
    'handler',
    'await new Promise(() => setInterval(() => {}, 1000));\nexport const handler = async () => ({ statusCode: 200 });\n',
  );
  const handshake = openSocket(stack.wsUrl).then(
    () => 'opened',
    () => 'refused',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));

  const started = Date.now();
  await stack.stop();
  const stoppedAfter = Date.now() - started;

  expect(await handshake).toBe('refused');
  expect(stoppedAfter).toBeLessThan(5_000);
}, 20_000);
