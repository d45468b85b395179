import { createDependencyFactory } from '../composition-root';
import { chatHistory, sendChat } from '../domain/use-cases/chat';
import { whoIsHere } from '../domain/use-cases/who';
import { createObservability } from './observability';
import { createWsHandler, route } from './ws/create-ws-handler';
import { frames } from './ws/schemas';

/** Chat frames: `sendmessage` echoes to the sender, `send` does not; `history` and `who` reply. */
export const chatRoutes = {
  sendmessage: route(frames.chat, async ({ message, id }, { deps, connectionId }) => {
    await sendChat(deps, { connectionId, text: message, id, echoToSender: true });
  }),
  send: route(frames.chat, async ({ message, id }, { deps, connectionId }) => {
    await sendChat(deps, { connectionId, text: message, id, echoToSender: false });
  }),
  history: route(frames.history, async ({ limit, before }, { deps }) => ({
    type: 'history',
    ...(await chatHistory(deps, limit, before)),
  })),
  who: route(frames.who, async ({ cursor }, { deps }) => ({ type: 'who', ...(await whoIsHere(deps, { cursor })) })),
};

export const handler = createWsHandler({
  routes: chatRoutes,
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
