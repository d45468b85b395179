import type { DependencyFactory } from '../composition-root';
import { DeliveryThrottledError } from '../domain/fan-out/delivery-throttled-error';
import type { ServerFrame } from '../domain/frames';
import { CHAT_ROOM, type Channel, topicChannel } from '../domain/model';
import type { Notifier } from '../domain/ports/notifier';
import type { Observability } from './observability';

/**
 * Makes every delivery outcome visible at the edge. The domain only counts what a broadcast could not
 * deliver (`FanOutResult.gone`, `.failed`) and goes on; here each 410 adds to the `DeliveriesGone` metric,
 * and each other failure (a throttled or refused `@connections` call) adds to `DeliveriesFailed` and is
 * logged once, with the connection, the channel the frame was broadcast on and the status API Gateway
 * answered. The error is rethrown unchanged: what the domain does with it does not change.
 */
export function observeDeliveries(
  dependencies: DependencyFactory,
  { logger, metrics }: Observability,
): DependencyFactory {
  const observed = new WeakMap<Notifier, Notifier>();
  const wrap = (notifier: Notifier): Notifier => ({
    async send(connectionId, frame) {
      try {
        const delivery = await notifier.send(connectionId, frame);
        if (delivery === 'gone') metrics.addMetric('DeliveriesGone', 'Count', 1);
        return delivery;
      } catch (error) {
        metrics.addMetric('DeliveriesFailed', 'Count', 1);
        logger.warn('Delivery failed', {
          connectionId,
          channel: channelOf(frame),
          frameType: frame.type,
          status: statusOf(error),
          error: error as Error,
        });
        throw error;
      }
    },
    close: (connectionId) => notifier.close(connectionId),
  });
  return async (request) => {
    const deps = await dependencies(request);
    let notifier = observed.get(deps.notifier);
    if (!notifier) {
      notifier = wrap(deps.notifier);
      observed.set(deps.notifier, notifier);
    }
    return { ...deps, notifier };
  };
}

/** The channel a broadcast frame belongs to; none for a reply to one connection. */
function channelOf(frame: ServerFrame): Channel | undefined {
  switch (frame.type) {
    case 'message':
      return topicChannel(frame.topic);
    case 'chat':
    case 'presence':
      return CHAT_ROOM;
    default:
      return undefined;
  }
}

/**
 * The HTTP status `@connections` answered, when it got that far (a refusal carries it as `status`); a 429
 * reaches here as the domain's `DeliveryThrottledError`, which the fan-out workers retry.
 */
function statusOf(error: unknown): number | undefined {
  if (error instanceof DeliveryThrottledError) return 429;
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
