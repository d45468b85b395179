import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeliveryThrottledError } from '../../domain/fan-out/delivery-throttled-error';
import type { ServerFrame } from '../../domain/frames';
import type { Delivery, Notifier } from '../../domain/ports/notifier';

/**
 * Sends frames through API Gateway's `@connections` API. A 410 means the client is gone (closed without
 * API Gateway noticing yet, or long dead): that is an ordinary outcome, reported as `gone`, not an error.
 */
export class ApiGatewayNotifier implements Notifier {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, frame: ServerFrame): Promise<Delivery> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(frame) }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      if (statusOf(error) === 429) throw new DeliveryThrottledError('@connections answered 429', { cause: error });
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

function isGone(error: unknown): boolean {
  if (error instanceof GoneException) return true;
  return statusOf(error) === 410;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
