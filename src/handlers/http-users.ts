import { createDependencyFactory } from '../composition-root';
import { sendDirect } from '../domain/use-cases/direct';
import { listSessions } from '../domain/use-cases/list-sessions';
import { object, optional, present, string, validate, wholeNumberText, withDefault } from '../validation';
import { createHttpHandler } from './http/create-http-handler';
import { HttpError } from './http/http-errors';
import { type HttpEvent, json } from './http/http-event';
import { createObservability } from './observability';

const directBody = object({ message: present });
const sessionsQuery = object({ limit: withDefault(wholeNumberText(1, 1000), 100), before: optional(string()) });

function userIdOf(event: HttpEvent): string {
  const userId = event.pathParameters?.userId;
  if (!userId) throw new HttpError(400, 'invalid_request', 'The user id is missing.');
  return userId;
}

/** Back-end access to one user: `direct` frames to each of their open connections, and their session history. */
export const handler = createHttpHandler({
  routes: {
    'POST /users/{userId}/messages': async (event, deps) => {
      const { message } = validate(directBody, event.body);
      return json(202, { delivered: await sendDirect(deps, userIdOf(event), message) });
    },
    'GET /users/{userId}/sessions': async (event, deps) => {
      const { limit, before } = validate(sessionsQuery, event.queryStringParameters ?? {});
      return json(200, await listSessions(deps, userIdOf(event), limit, before));
    },
  },
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
