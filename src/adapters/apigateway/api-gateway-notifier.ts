import { DeliveryThrottledError } from '../../domain/fan-out/delivery-throttled-error';
import type { ServerFrame } from '../../domain/frames';
import type { Delivery, Notifier } from '../../domain/ports/notifier';
import type { ConnectionsApi, ConnectionsApiResponse } from './connections-api';

/**
 * Sends frames through API Gateway's `@connections` API. A 410 means the client is gone (closed without
 * API Gateway noticing yet, or long dead): that is an ordinary outcome, reported as `gone`, not an error.
 */
export class ApiGatewayNotifier implements Notifier {
  /** A broadcast sends one frame object to every subscriber: it is serialised once, not once per send. */
  private readonly serialised = new WeakMap<ServerFrame, string>();

  constructor(private readonly api: Pick<ConnectionsApi, 'post' | 'delete'>) {}

  async send(connectionId: string, frame: ServerFrame): Promise<Delivery> {
    let data = this.serialised.get(frame);
    if (data === undefined) {
      data = JSON.stringify(frame);
      this.serialised.set(frame, data);
    }
    const response = await this.api.post(connectionId, data);
    if (isOk(response)) return 'sent';
    if (response.status === 410) return 'gone';
    if (response.status === 429) throw new DeliveryThrottledError('@connections answered 429');
    throw failure('POST', response);
  }

  async close(connectionId: string): Promise<void> {
    const response = await this.api.delete(connectionId);
    if (!isOk(response) && response.status !== 410) throw failure('DELETE', response);
  }
}

const isOk = (response: ConnectionsApiResponse): boolean => response.status >= 200 && response.status < 300;

/** A refusal other than 410 and 429, with the status for the logs; the handlers never pass it on to a client. */
export class ConnectionsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionsApiError';
  }
}

function failure(method: string, response: ConnectionsApiResponse): Error {
  return new ConnectionsApiError(
    response.status,
    `@connections ${method} answered ${response.status}: ${response.body.slice(0, 200)}`,
  );
}
