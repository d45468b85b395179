import { createDependencyFactory } from '../composition-root';
import { chatHistory, sendChat } from '../domain/use-cases/chat';
import { joinRoom } from '../domain/use-cases/join-room';
import { leaveRoom } from '../domain/use-cases/leave-room';
import { whoInRoom } from '../domain/use-cases/who';
import { createObservability } from './observability';
import { createWsHandler, route } from './ws/create-ws-handler';
import { frames } from './ws/schemas';

/**
 * Chat frames, each in a room (the default room when the frame names none): `join` and `leave`;
 * `sendmessage` echoes to the sender, `send` does not; `history` and `who` reply.
 */
export const chatRoutes = {
  join: route(frames.join, async ({ room, name }, { deps, connectionId }) => {
    await joinRoom(deps, { connectionId, room, name });
  }),
  leave: route(frames.leave, async ({ room }, { deps, connectionId }) => {
    await leaveRoom(deps, { connectionId, room });
  }),
  sendmessage: route(frames.chat, async ({ message, id, room }, { deps, connectionId }) => {
    await sendChat(deps, { connectionId, text: message, id, room, echoToSender: true });
  }),
  send: route(frames.chat, async ({ message, id, room }, { deps, connectionId }) => {
    await sendChat(deps, { connectionId, text: message, id, room, echoToSender: false });
  }),
  history: route(frames.history, async (request, { deps, connectionId }) => ({
    type: 'history',
    ...(await chatHistory(deps, { connectionId, ...request })),
  })),
  who: route(frames.who, async (request, { deps, connectionId }) => ({
    type: 'who',
    ...(await whoInRoom(deps, { connectionId, ...request })),
  })),
};

export const handler = createWsHandler({
  routes: chatRoutes,
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
