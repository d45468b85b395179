import { createDependencyFactory } from '../composition-root';
import { startFeed, stopFeed } from '../domain/use-cases/feed';
import { createObservability } from './observability';
import { createWsHandler, route } from './ws/create-ws-handler';
import { frames } from './ws/schemas';

const teleread = route(frames.teleread, async (frame, { deps, connectionId }) => {
  await startFeed(deps, connectionId, frame.cursor);
});

/** Tele-read frames: `teleread` (alias `teleprinter`) hands the stream to the feed worker; `stop` ends it. */
export const feedRoutes = {
  teleread,
  teleprinter: teleread,
  stop: route(frames.empty, async (_frame, { deps, connectionId }) => ({
    type: 'feed-stopped',
    cursor: await stopFeed(deps, connectionId),
  })),
};

export const handler = createWsHandler({
  routes: feedRoutes,
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
