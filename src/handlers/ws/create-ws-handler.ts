import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DependencyFactory } from '../../composition-root';
import type { Dependencies } from '../../domain/dependencies';
import { ClientError, RateLimitedError } from '../../domain/errors';
import type { ServerFrame } from '../../domain/frames';
import { LIMITS, ROUTE_CLASSES, requireDepth } from '../../domain/limits';
import type { RouteClass } from '../../domain/ports/rate-limiter';
import { admitFrame, budgetRoomOf } from '../../domain/use-cases/admit-frame';
import { type Infer, isValidationError, type Schema, validate } from '../../validation';
import { type Observability, observabilityMiddlewares } from '../observability';
import { observeDeliveries } from '../observe-deliveries';
import { toErrorFrame } from './error-frames';
import { actionOf, parseFrame, type RawFrame } from './parse-frame';
import { frames } from './schemas';
import { OK, type WebSocketEvent, type WebSocketResult } from './ws-event';

export interface WsRequest {
  connectionId: string;
  deps: Dependencies;
  event: WebSocketEvent;
}

/** One route: the schema its frame must match, and the use case it calls. Returned frames go to the sender. */
export interface WsRoute<S extends Schema = Schema> {
  schema: S;
  // biome-ignore lint/suspicious/noConfusingVoidType: a route that only broadcasts returns nothing (an async function's void).
  run(frame: Infer<S>, request: WsRequest): Promise<ServerFrame | ServerFrame[] | void>;
}

export function route<S extends Schema>(schema: S, run: WsRoute<S>['run']): WsRoute {
  return { schema, run } as WsRoute;
}

export interface WsHandlerOptions {
  /** Keyed by route key; `$default` also serves frames whose `action` has no route of its own. */
  routes: Record<string, WsRoute>;
  dependencies: DependencyFactory;
  observability: Observability;
}

/**
 * A message-route handler: parse the frame, validate it, call one use case, send the replies. Every
 * failure becomes an `error` frame to the sender, and the invocation still succeeds, so API Gateway
 * never answers the client with its generic "Internal server error".
 */
export function createWsHandler({ routes, dependencies, observability }: WsHandlerOptions) {
  const { logger, metrics } = observability;
  const dependenciesOf = observeDeliveries(dependencies, observability);
  const handle = async (event: WebSocketEvent, _context: Context): Promise<WebSocketResult> => {
    const { connectionId, routeKey } = event.requestContext;
    const deps = await dependenciesOf(event.requestContext);
    let frame: RawFrame | undefined;
    try {
      frame = parseFrame(event);
      // Before any recursive code (validation, serialisation) sees it; a `message` may nest 32 levels.
      requireDepth(frame, LIMITS.messageDepth + 1, 'The frame');
      const selected = routes[routeKey] ?? routes.$default;
      if (!selected) throw new ClientError('unknown_action', `Unknown action "${actionOf(frame) ?? routeKey}".`);
      const valid = validate(selected.schema, frame);
      const routeClass = routeClassOf(routeKey, frame);
      const arrivedAt = event.requestContext.requestTimeEpoch ?? deps.clock.now().getTime();
      if (routeClass) {
        const room = budgetRoomOf(routeKey, valid as { room?: unknown });
        await admitFrame(deps, connectionId, routeClass, new Date(arrivedAt), room);
      }
      const replies = await selected.run(valid, { connectionId, deps, event });
      for (const reply of [replies ?? []].flat()) await deps.notifier.send(connectionId, reply);
      metrics.addMetric('FramesHandled', 'Count', 1);
    } catch (error) {
      const { frame: errorFrame, internal } = toErrorFrame(error, actionOf(frame));
      if (internal) logger.error('Frame failed', { routeKey, error: error as Error });
      metrics.addMetric(internal ? 'FramesFailed' : 'FramesRejected', 'Count', 1);
      if (error instanceof RateLimitedError) metrics.addMetric('FramesRateLimited', 'Count', 1);
      // A failed send has been logged and counted by observeDeliveries; the frame has nowhere else to go.
      await deps.notifier.send(connectionId, errorFrame).catch(() => undefined);
    }
    return OK;
  };
  return middy(handle).use(observabilityMiddlewares(observability));
}

/**
 * The budget a frame draws from, or none: `ping` is free, and so is a `$default` frame that is not the
 * seed's `{"topic","message"}` publish (it is refused as an unknown action, or invalid, at no cost).
 * A frame that fails validation never gets here, so it costs no database call either.
 */
function routeClassOf(routeKey: string, frame: RawFrame): RouteClass | undefined {
  const key = routeKey === '$default' ? (isSeedPublish(frame) ? 'publish' : undefined) : routeKey;
  if (key === undefined) return undefined;
  const routeClass = Object.hasOwn(ROUTE_CLASSES, key) ? ROUTE_CLASSES[key] : 'session';
  return routeClass === 'free' ? undefined : routeClass;
}

/** The seed's publish, and a valid one: a malformed seed frame is refused by validation at no cost. */
function isSeedPublish(frame: RawFrame): boolean {
  if (frame.action !== undefined || frame.topic === undefined) return false;
  try {
    validate(frames.publish, frame);
    return true;
  } catch (error) {
    if (isValidationError(error)) return false;
    throw error;
  }
}
