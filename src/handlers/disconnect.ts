import middy from '@middy/core';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { disconnect } from '../domain/use-cases/disconnect';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';
import { OK, type WebSocketEvent, type WebSocketResult } from './ws/ws-event';

/** `$disconnect`: remove every record of the connection; the user leaves the room with their last one. */
export function createDisconnectHandler(dependencies: DependencyFactory, observability: Observability) {
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId } = event.requestContext;
    const removed = await disconnect(await dependenciesOf(event.requestContext), connectionId);
    observability.metrics.addMetric('Disconnections', 'Count', 1);
    observability.logger.info('Disconnected', { connectionId, removed });
    return OK;
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

export const handler = createDisconnectHandler(createDependencyFactory(), createObservability());
