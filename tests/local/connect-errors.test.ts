import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../packages/local/src/stack';
import { startFixtureStack } from './support/fixture-stack';
import { openSocket } from './support/test-socket';

// A `$connect` function whose file lacks the export its Handler names.
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    Timeout: 3
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
      Handler: app.notExported
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
let stack: LocalStack;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'switchboard-connect-errors-'));
  mkdirSync(join(scratch, 'fn'));
  writeFileSync(join(scratch, 'fn', 'app.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  writeFileSync(join(scratch, 'template.yaml'), TEMPLATE);
  stack = await startFixtureStack({ templatePath: join(scratch, 'template.yaml'), projectRoot: scratch });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it('refuses the handshake with 502 when the $connect handler is not exported, as docs/local-gateway.md says', async () => {
  await expect(openSocket(stack.wsUrl)).rejects.toMatchObject({ status: 502 });
});
