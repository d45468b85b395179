import { z } from 'zod';
import { createDependencyFactory } from '../composition-root';
import { sendDirect } from '../domain/use-cases/direct';
import { createHttpHandler } from './http/create-http-handler';
import { HttpError } from './http/http-errors';
import { json } from './http/http-event';
import { createObservability } from './observability';

const directBody = z.object({ message: z.unknown().refine((value) => value !== undefined, { message: 'is required' }) });

/** Back-end messages to one user: a `direct` frame to each of their open connections. */
export const handler = createHttpHandler({
  routes: {
    'POST /users/{userId}/messages': async (event, deps) => {
      const userId = event.pathParameters?.userId;
      if (!userId) throw new HttpError(400, 'invalid_request', 'The user id is missing.');
      const { message } = directBody.parse(event.body);
      return json(202, { delivered: await sendDirect(deps, userId, message) });
    },
  },
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
