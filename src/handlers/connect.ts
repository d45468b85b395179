import middy from '@middy/core';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { HandshakeRejectedError } from '../domain/errors';
import { connect } from '../domain/use-cases/connect';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';
import type { WebSocketEvent, WebSocketResult } from './ws/ws-event';

/** `$connect`: accept (200) or refuse the handshake (400 bad input, 401 bad token) before anything is written. */
export function createConnectHandler(dependencies: DependencyFactory, observability: Observability) {
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId, connectedAt, requestTimeEpoch, identity } = event.requestContext;
    const query = event.queryStringParameters ?? {};
    try {
      const { connection } = await connect(await dependenciesOf(event.requestContext), {
        connectionId,
        connectedAt: new Date(connectedAt ?? requestTimeEpoch ?? Date.now()),
        token: query.token,
        name: query.name,
        topicName: query.topicName,
        room: query.room,
        sourceIp: identity?.sourceIp,
        userAgent: identity?.userAgent ?? undefined,
      });
      observability.metrics.addMetric('Connections', 'Count', 1);
      observability.logger.info('Connected', { connectionId, userId: connection.userId, resumed: connection.resumed });
      return { statusCode: 200 };
    } catch (error) {
      if (!(error instanceof HandshakeRejectedError)) throw error;
      observability.metrics.addMetric('HandshakesRefused', 'Count', 1);
      return { statusCode: error.statusCode, body: error.message };
    }
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

export const handler = createConnectHandler(createDependencyFactory(), createObservability());
