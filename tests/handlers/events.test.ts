import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadStackModel } from '../../packages/local/src/load-stack-model';
import {
  eventFunctions,
  SAMPLE_EVENT_CHECKS,
  type SampleEventContext,
  uncoveredRoutes,
} from '../../scripts/verify-deploy/sample-events';
import { type E2eStack, startE2eStack } from '../e2e/support/e2e-stack';
import { PROJECT_ROOT, TEMPLATE } from '../support/embedded-table';

/**
 * Every events/*.json invoked on the function the template routes it to, through the local Lambda
 * Invoke API, as `sam local invoke -e events/X.json` would, against the embedded DynamoDB. What each
 * must do is in scripts/verify-deploy/sample-events.ts, shared with `npm run verify:deploy`, which runs
 * the same checks on the bundles `sam build` makes.
 */
const EVENTS_DIR = join(PROJECT_ROOT, 'events');
const { model } = loadStackModel({ templatePath: TEMPLATE, projectRoot: PROJECT_ROOT });

let e2e: E2eStack;
let lambda: LambdaClient;

async function invoke(functionId: string, event: unknown, eventFile: string): Promise<unknown> {
  const { Payload, FunctionError } = await lambda.send(
    new InvokeCommand({ FunctionName: functionId, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const result = JSON.parse(new TextDecoder().decode(Payload)) as unknown;
  if (FunctionError) throw new Error(`${eventFile} failed: ${JSON.stringify(result)}`);
  return result;
}

beforeAll(async () => {
  e2e = await startE2eStack({ FEED_CHUNK_SIZE: '250' });
  lambda = new LambdaClient({
    endpoint: e2e.stack.connectionsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  lambda.destroy();
  await e2e.stop();
});

describe('events/*.json invoked on their functions', () => {
  it('has an event for every route of the template, and a function for every event', () => {
    expect(uncoveredRoutes(model, EVENTS_DIR)).toEqual([]);
    expect(new Set(eventFunctions(model, EVENTS_DIR).values())).toEqual(new Set(model.functions.keys()));
  });

  for (const check of SAMPLE_EVENT_CHECKS) {
    it(check.title, async () => {
      const context: SampleEventContext = { model, eventsDir: EVENTS_DIR, invoke, e2e };
      await check.run(context);
    });
  }
});
