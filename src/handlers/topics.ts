import { createDependencyFactory } from '../composition-root';
import { ClientError, InvalidFrameError } from '../domain/errors';
import { publishFromConnection } from '../domain/use-cases/publish';
import { subscribe, unsubscribe } from '../domain/use-cases/subscribe';
import { type Infer, validate } from '../validation';
import { createObservability } from './observability';
import { createWsHandler, route, type WsRequest } from './ws/create-ws-handler';
import { frames } from './ws/schemas';

async function publishFrame({ topic, message, id }: Infer<typeof frames.publish>, { deps, connectionId }: WsRequest) {
  const result = await publishFromConnection(deps, { connectionId, topic, message, id });
  return { type: 'ack', id: result.id, topic: result.topic, seq: result.seq } as const;
}

/** Topic frames, and `$default`: the seed-compatible `{"topic","message"}` publish, or an unknown action. */
export const topicRoutes = {
  subscribe: route(frames.subscribe, async ({ topic, since }, { deps, connectionId }) => {
    await subscribe(deps, { connectionId, topic, since });
  }),
  unsubscribe: route(frames.unsubscribe, async ({ topic }, { deps, connectionId }) => {
    await unsubscribe(deps, connectionId, topic);
    return { type: 'unsubscribed', topic };
  }),
  publish: route(frames.publish, publishFrame),
  $default: route(frames.loose, async (frame, request) => {
    if (frame.action !== undefined)
      throw new ClientError('unknown_action', `Unknown action ${JSON.stringify(frame.action).slice(0, 64)}.`);
    if (frame.topic === undefined)
      throw new InvalidFrameError('A frame needs an "action" (or a "topic" to publish to).');
    return publishFrame(validate(frames.publish, frame), request);
  }),
};

export const handler = createWsHandler({
  routes: topicRoutes,
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
