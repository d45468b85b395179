/**
 * The handler's own share of the peer comparison's fan-out: the minimal app's `$default` handler (bench/peers/apps.ts)
 * run directly in this process, with no gateway, against an `@connections` endpoint that only answers 200 and runs in
 * another process (the bench's). Whatever a gateway adds to its fan-out time is above this floor.
 * Then the SDK client alone: the same number of `PostToConnectionCommand`s through a client whose request handler
 * answers 200 at once, without HTTP, to show how much of the floor is the client itself.
 * argv[2]: JSON `{appPath, endpoint, clients, runs}`; prints one JSON line `{times, sdkOnly}` (milliseconds, warm-up
 * first).
 */
import { createRequire } from 'node:module';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';

interface App {
  onConnect(event: unknown): Promise<unknown>;
  onDefault(event: unknown): Promise<unknown>;
}

/** Times `work` once as a warm-up and then `runs` times; milliseconds, warm-up first. */
async function timeRuns(runs: number, work: (run: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    await work(run);
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const { appPath, endpoint, clients, runs } = JSON.parse(process.argv[2] ?? '{}') as {
    appPath: string;
    endpoint: string;
    clients: number;
    runs: number;
  };
  process.env.MANAGEMENT_ENDPOINT = endpoint;
  const app = createRequire(__filename)(appPath) as App;
  const event = (connectionId: string, body?: string): unknown => ({
    requestContext: { connectionId },
    body,
    isBase64Encoded: false,
  });
  for (let i = 0; i < clients; i += 1) await app.onConnect(event(`floor-${i}`));
  const times = await timeRuns(runs, (run) => app.onDefault(event('floor-0', JSON.stringify({ t: `floor-${run}` }))));
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { handle: () => Promise.resolve({ response: { statusCode: 200, headers: {}, body: undefined } }) },
  });
  const sdkOnly = await timeRuns(runs, (run) =>
    Promise.all(
      Array.from({ length: clients }, (_, i) =>
        client.send(
          new PostToConnectionCommand({ ConnectionId: `floor-${i}`, Data: JSON.stringify({ t: `sdk-${run}` }) }),
        ),
      ),
    ),
  );
  console.log(JSON.stringify({ times, sdkOnly }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
