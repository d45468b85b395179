import { createDependencyFactory } from '../composition-root';
import { publish } from '../domain/use-cases/publish';
import { readTopic } from '../domain/use-cases/read-topic';
import { object, optional, present, text, validate, wholeNumberText, withDefault } from '../validation';
import { createHttpHandler } from './http/create-http-handler';
import { json } from './http/http-event';
import { createObservability } from './observability';

const publishBody = object({ message: present, id: optional(text(1, 128)) });
const readQuery = object({
  since: withDefault(wholeNumberText(0), 0),
  limit: withDefault(wholeNumberText(1, 1000), 100),
});

/** Back-end publishing: `POST` stores and delivers a topic message, `GET` reads the stored ones. */
export const handler = createHttpHandler({
  routes: {
    'POST /topics/{topic}/messages': async (event, deps) => {
      const { message, id } = validate(publishBody, event.body);
      const result = await publish(deps, { topic: event.pathParameters?.topic ?? '', message, id, from: null });
      return json(202, { topic: result.topic, seq: result.seq, id: result.id });
    },
    'GET /topics/{topic}/messages': async (event, deps) => {
      const { since, limit } = validate(readQuery, event.queryStringParameters ?? {});
      return json(200, await readTopic(deps, event.pathParameters?.topic, since, limit));
    },
  },
  dependencies: createDependencyFactory(),
  observability: createObservability(),
});
