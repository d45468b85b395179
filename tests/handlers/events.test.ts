import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  AUTH_MODES,
  eventFunctions,
  eventsWithoutChecks,
  functionsOfModes,
  functionsWithoutEvents,
  loadModeModels,
  runSampleEventCheck,
  SAMPLE_EVENT_CHECKS,
  type SampleEventStack,
  startSampleEventStack,
  uncoveredRoutes,
} from '../../scripts/verify-deploy/sample-events';
import { PROJECT_ROOT, TEMPLATE } from '../support/embedded-table';

/**
 * Every events/*.json invoked on the function the template routes it to, through the local Lambda
 * Invoke API, as `sam local invoke -e events/X.json` would, against the embedded DynamoDB. An event runs on
 * a stack in the first AuthMode whose template has its function (the sign-in events with AuthMode=jwt).
 * What each must do is in scripts/verify-deploy/sample-events.ts, shared with `npm run verify:deploy`,
 * which runs the same checks on the bundles `sam build` makes.
 */
const EVENTS_DIR = join(PROJECT_ROOT, 'events');
const MODELS = loadModeModels(TEMPLATE, PROJECT_ROOT);

describe('events/*.json invoked on their functions', () => {
  it('has an event for every route and function of the template in every AuthMode, and a function and a check for every event', () => {
    const routed = eventFunctions(MODELS, EVENTS_DIR);

    expect(uncoveredRoutes(MODELS, EVENTS_DIR)).toEqual([]);
    expect(functionsWithoutEvents(MODELS, routed)).toEqual([]);
    expect(eventsWithoutChecks(routed)).toEqual([]);
    expect(new Set([...routed.values()].map((event) => event.functionId))).toEqual(functionsOfModes(MODELS));
    // Each mode the checks run in is one that has the functions of its events.
    for (const [file, { functionId, mode }] of routed) {
      expect([file, MODELS.get(mode)?.functions.has(functionId)]).toEqual([file, true]);
    }
  });

  const runModes = AUTH_MODES.filter((mode) => SAMPLE_EVENT_CHECKS.some((check) => check.mode === mode));
  describe.each(runModes)('AuthMode=%s', (mode) => {
    let stack: SampleEventStack;
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
      stack = await startSampleEventStack(mode, { FEED_CHUNK_SIZE: '250' });
      lambda = new LambdaClient({
        endpoint: stack.e2e.stack.connectionsUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    });
    afterAll(async () => {
      lambda?.destroy();
      await stack?.stop();
    });

    for (const check of SAMPLE_EVENT_CHECKS.filter((candidate) => candidate.mode === mode)) {
      it(check.title, async () => {
        const model = MODELS.get(mode);
        if (!model) throw new Error(`no model for AuthMode=${mode}`);
        await runSampleEventCheck(check, eventFunctions(MODELS, EVENTS_DIR), {
          model,
          eventsDir: EVENTS_DIR,
          invoke,
          e2e: stack.e2e,
          issuer: stack.issuer,
        });
      });
    }
  });
});
