import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiGatewayNotifier } from '../../src/adapters/apigateway/api-gateway-notifier';
import { ConnectionsApi } from '../../src/adapters/apigateway/connections-api';
import { DynamoDbSubscriptionRepository } from '../../src/adapters/dynamodb/dynamodb-subscription-repository';
import { systemClock } from '../../src/adapters/system/system-clock';
import type { ServerFrame } from '../../src/domain/frames';
import type { Subscriber } from '../../src/domain/model';

export interface LocalCostProbeRequest {
  /** The channel whose subscribers are read and sent to (they must be connected). */
  channel: string;
  /** Subscribers per Query page, as the fan-out reads them. */
  pageSize: number;
  /** `@connections` calls in flight, as one fan-out invocation keeps them. */
  callsInFlight: number;
  /** Passes over the channel; each pass reads every page, then sends to every subscriber once. */
  passes: number;
}

export interface LocalCostProbeResult {
  /** Per pass: wall milliseconds per Query page, and per `@connections` post. */
  pageMs: number[];
  callMs: number[];
  pages: number;
  calls: number;
  /** Posts that did not answer 'sent' (a connection gone, a failure): a probe with any is not a measurement. */
  failedCalls: number;
}

export interface LocalStackEndpoints {
  dynamoEndpoint: string;
  tableName: string;
  connectionsUrl: string;
}

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/**
 * Measures, inside the local stack's own process, what the local stack spends per `@connections` post and
 * per subscriber Query page when nothing waits: the project's own adapters (the ones the handlers use, built
 * with the composition root's client options) against the stack's dynalite and `@connections` API, with no
 * latency injected. The stack is one Node event loop, so with the calls in flight it is saturated and the
 * wall time per post is its CPU cost per post (SDK request and signing, the gateway's HTTP handling, the
 * WebSocket send, the response); the same for pages (the Query, dynalite's work, unmarshalling).
 */
export async function probeLocalCosts(
  endpoints: LocalStackEndpoints,
  request: LocalCostProbeRequest,
): Promise<LocalCostProbeResult> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...LOCAL, endpoint: endpoints.dynamoEndpoint }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const repository = new DynamoDbSubscriptionRepository(
    { client, tableName: endpoints.tableName, clock: systemClock },
    { pageSize: request.pageSize },
  );
  const notifier = new ApiGatewayNotifier(
    new ConnectionsApi({
      endpoint: endpoints.connectionsUrl,
      region: LOCAL.region,
      credentials: LOCAL.credentials,
      maxSockets: request.callsInFlight,
    }),
  );
  const result: LocalCostProbeResult = { pageMs: [], callMs: [], pages: 0, calls: 0, failedCalls: 0 };
  for (let pass = 0; pass < request.passes; pass += 1) {
    const subscribers: Subscriber[] = [];
    let pages = 0;
    let started = performance.now();
    let cursor: string | null = null;
    do {
      const page = await repository.shardPage(request.channel, { index: 0, of: 1 }, cursor, request.pageSize);
      subscribers.push(...page.subscribers);
      cursor = page.next;
      pages += 1;
    } while (cursor !== null);
    result.pageMs.push((performance.now() - started) / pages);
    result.pages = pages;

    const frame: ServerFrame = {
      type: 'message',
      topic: 'probe',
      message: 'x',
      seq: pass + 1,
      from: null,
      sentAt: new Date().toISOString(),
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < subscribers.length) {
        const subscriber = subscribers[next++] as Subscriber;
        const delivery = await notifier.send(subscriber.connectionId, frame).catch(() => 'failed' as const);
        if (delivery !== 'sent') result.failedCalls += 1;
      }
    };
    started = performance.now();
    await Promise.all(Array.from({ length: Math.min(request.callsInFlight, subscribers.length) }, lane));
    result.callMs.push((performance.now() - started) / Math.max(1, subscribers.length));
    result.calls = subscribers.length;
  }
  client.destroy();
  return result;
}
