/**
 * Runs Switchboard's local stack alone in this process, so that the bench can measure its memory apart from
 * the clients. Started by lib/child-stack.ts with fork(); options come as JSON in argv[2]; it answers
 * `{"ready": {...urls}}` over IPC, then serves `counts`, `reset`, `settle` and `stop` messages.
 */
import { startSwitchboardStack } from '../scripts/local/switchboard-stack';
import { type CountingProxy, startCountingProxy } from './lib/counting-proxy';
import { type LocalCostProbeRequest, probeLocalCosts } from './lib/local-cost-probe';

export interface StackProcessOptions {
  connectionsLatencyMs: number;
  env: Record<string, string>;
  /** Put counting proxies in front of dynalite and of `@connections` (adds one local hop to each call). */
  countDynamo: boolean;
  countConnections: boolean;
}

export type StackRequest =
  | { id: number; cmd: 'counts' | 'reset' | 'stop' | 'memory' }
  | { id: number; cmd: 'settle'; quietMs: number; timeoutMs: number }
  | ({ id: number; cmd: 'probe' } & LocalCostProbeRequest);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as StackProcessOptions;
  const dynamoProxy = options.countDynamo ? await startCountingProxy('dynamodb') : null;
  const connectionsProxy = options.countConnections ? await startCountingProxy('connections') : null;
  const logLines: string[] = [];
  const stack = await startSwitchboardStack({
    wsPort: 0,
    httpPort: 0,
    webPort: null,
    dynamoPort: 0,
    dataDir: null,
    quiet: true,
    connectionsLatencyMs: options.connectionsLatencyMs,
    log: (line) => {
      if (logLines.length < 200) logLines.push(line);
    },
    env: {
      ...options.env,
      ...(dynamoProxy ? { DYNAMODB_ENDPOINT: dynamoProxy.url } : {}),
      ...(connectionsProxy ? { MANAGEMENT_ENDPOINT: connectionsProxy.url } : {}),
    },
  });
  dynamoProxy?.setTarget(stack.dynamoEndpoint);
  connectionsProxy?.setTarget(stack.connectionsUrl);
  const proxies: Array<[string, CountingProxy | null]> = [
    ['dynamodb', dynamoProxy],
    ['connections', connectionsProxy],
  ];

  const send = (message: unknown): void => {
    process.send?.(message);
  };
  process.on('message', (raw) => {
    const request = raw as StackRequest;
    void (async () => {
      switch (request.cmd) {
        case 'counts':
          send({
            id: request.id,
            dynamodb: dynamoProxy?.counts() ?? null,
            connections: connectionsProxy?.counts() ?? null,
            log: logLines.splice(0),
          });
          break;
        case 'memory':
          (globalThis as { gc?: () => void }).gc?.();
          send({ id: request.id, ...process.memoryUsage() });
          break;
        case 'reset':
          for (const [, proxy] of proxies) proxy?.reset();
          send({ id: request.id });
          break;
        case 'settle':
          await Promise.all(proxies.map(([, proxy]) => proxy?.settle(request.quietMs, request.timeoutMs)));
          send({ id: request.id });
          break;
        case 'probe': {
          const { id, cmd: _cmd, ...probe } = request;
          const measured = await probeLocalCosts(
            {
              dynamoEndpoint: stack.dynamoEndpoint,
              tableName: stack.tableName('SwitchboardTable'),
              connectionsUrl: stack.connectionsUrl,
            },
            probe,
          );
          send({ id, ...measured });
          break;
        }
        case 'stop': {
          const timer = setTimeout(() => process.exit(0), 5000);
          await stack.stop().catch(() => undefined);
          for (const [, proxy] of proxies) await proxy?.close();
          clearTimeout(timer);
          send({ id: request.id });
          process.exit(0);
        }
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  send({
    ready: {
      wsUrl: stack.wsUrl,
      httpUrl: stack.httpUrl,
      connectionsUrl: stack.connectionsUrl,
      dynamoEndpoint: stack.dynamoEndpoint,
      tableName: stack.tableName('SwitchboardTable'),
      stage: stack.stage,
    },
  });
}

main().catch((error: unknown) => {
  process.send?.({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
