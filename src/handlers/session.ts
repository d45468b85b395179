import { createDependencyFactory } from '../composition-root';
import { hello } from '../domain/use-cases/hello';
import { resetSession } from '../domain/use-cases/reset-session';
import { createObservability } from './observability';
import { createWsHandler, route } from './ws/create-ws-handler';
import { frames } from './ws/schemas';

/** Session frames: `hello` reports the session, `ping` answers without touching DynamoDB, `reset` starts over. */
export const sessionRoutes = {
  hello: route(frames.empty, (_frame, { deps, connectionId }) => hello(deps, connectionId)),
  ping: route(frames.empty, async (_frame, { deps }) => ({ type: 'pong', at: deps.clock.now().toISOString() })),
  reset: route(frames.empty, async (_frame, { deps, connectionId }) => {
    await resetSession(deps, connectionId);
    return hello(deps, connectionId);
  }),
};

export const handler = createWsHandler({
  routes: sessionRoutes,
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
