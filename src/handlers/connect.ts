import middy from '@middy/core';
import { createDependencyFactory, type DependencyFactory } from '../composition-root';
import { loadConfig } from '../config';
import { HandshakeRejectedError } from '../domain/errors';
import { connect } from '../domain/use-cases/connect';
import { createObservability, type Observability, observabilityMiddlewares } from './observability';
import { observeDeliveries } from './observe-deliveries';
import { type AuthMode, handshakeIdentity } from './ws/handshake-identity';
import { offeredSubprotocols, SWITCHBOARD_SUBPROTOCOL } from './ws/sign-in-token';
import type { WebSocketEvent, WebSocketResult } from './ws/ws-event';

/**
 * `$connect`: accept (200) or refuse the handshake (400 bad input, 401 bad token) before anything is written.
 * A client that offered the `switchboard` subprotocol (to carry its sign-in token) gets it accepted.
 */
export function createConnectHandler(
  dependencies: DependencyFactory,
  observability: Observability,
  { authMode = 'anonymous' }: { authMode?: AuthMode } = {},
) {
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId, connectedAt, requestTimeEpoch, identity } = event.requestContext;
    const query = event.queryStringParameters ?? {};
    const signedIn = handshakeIdentity(authMode, event.requestContext);
    if (signedIn === null) {
      observability.logger.warn('Handshake without the identity its auth mode needs', { connectionId, authMode });
      return { statusCode: 401, body: 'Unauthorized' };
    }
    const protocol = offeredSubprotocols(event.headers).includes(SWITCHBOARD_SUBPROTOCOL)
      ? { headers: { 'Sec-WebSocket-Protocol': SWITCHBOARD_SUBPROTOCOL } }
      : {};
    try {
      const { connection } = await connect(await dependenciesOf(event.requestContext), {
        connectionId,
        connectedAt: new Date(connectedAt ?? requestTimeEpoch ?? Date.now()),
        ...(signedIn ? { identity: signedIn } : { token: query.token }),
        name: query.name,
        topicName: query.topicName,
        room: query.room,
        sourceIp: identity?.sourceIp,
        userAgent: identity?.userAgent ?? undefined,
      });
      observability.metrics.addMetric('Connections', 'Count', 1);
      observability.logger.info('Connected', { connectionId, userId: connection.userId, resumed: connection.resumed });
      return { statusCode: 200, ...protocol };
    } catch (error) {
      if (!(error instanceof HandshakeRejectedError)) throw error;
      observability.metrics.addMetric('HandshakesRefused', 'Count', 1);
      return { statusCode: error.statusCode, body: error.message };
    }
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

const config = loadConfig();
export const handler = createConnectHandler(createDependencyFactory(config), createObservability(), {
  authMode: config.AUTH_MODE,
});
