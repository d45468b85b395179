import type { MiddlewareObj, Request } from '@middy/core';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { DependencyFactory } from '../../composition-root';
import type { Dependencies } from '../../domain/dependencies';
import { LIMITS, requireDepth } from '../../domain/limits';
import { type Observability, observabilityMiddlewares } from '../observability';
import { observeDeliveries } from '../observe-deliveries';
import { bodySizeLimit, HttpError, httpErrorBodies } from './http-errors';
import type { HttpEvent, HttpResult } from './http-event';

export type HttpRoute = (event: HttpEvent, deps: Dependencies) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  /** Keyed by the HTTP API route key, e.g. `POST /topics/{topic}/messages`. */
  routes: Record<string, HttpRoute>;
  dependencies: DependencyFactory;
  observability: Observability;
}

/** An HTTP API handler: size limit, JSON body (on writes), one route call, errors as `{"code","message"}`. */
export function createHttpHandler({ routes, dependencies, observability }: HttpHandlerOptions) {
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: HttpEvent): Promise<HttpResult> => {
    observability.metrics.addMetric('HttpRequests', 'Count', 1);
    const selected = routes[event.routeKey];
    if (!selected) throw new HttpError(404, 'not_found', `No route ${event.routeKey}.`);
    return selected(event, await dependenciesOf());
  };
  return middy(handle)
    .use(observabilityMiddlewares(observability))
    .use(httpErrorHandler({ logger: false }))
    .use(httpErrorBodies((error) => observability.logger.error('Request failed', { error: error as Error })))
    .use(bodySizeLimit())
    .use(jsonBodyOnWrites());
}

/**
 * `@middy/http-json-body-parser` for requests that carry a body; GET and friends have none. A body nested
 * deeper than a `message` may be (plus the body itself) is `invalid_frame` before any recursive code sees it.
 */
function jsonBodyOnWrites(): MiddlewareObj<HttpEvent> {
  // Back-end callers often omit Content-Type; the runtime option exists but is missing from the typings.
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<typeof httpJsonBodyParser>[0]);
  return {
    before: async (request: Request<HttpEvent>) => {
      const method = request.event.requestContext?.http?.method ?? request.event.routeKey.split(' ')[0];
      if (method === 'GET' || method === 'HEAD' || method === 'DELETE') return;
      await parser.before?.(request as unknown as Request);
      requireDepth(request.event.body, LIMITS.messageDepth + 1, 'The body');
    },
  };
}
