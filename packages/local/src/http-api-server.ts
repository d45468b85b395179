import { createServer, type Server } from 'node:http';
import { buildHttpApiEvent, type HttpApiIdentity } from './http-api-event';
import { mapHttpApiResult } from './http-api-result';
import { createHttpApiRouter } from './http-api-router';
import { readBody, sendJson } from './http-io';
import type { JwtAuthorizer, JwtAuthorizerContext } from './jwt-authorizer';
import { FunctionNotFoundError, type LambdaRuntime } from './lambda-runtime';
import { receivedRequest } from './received-request';
import { decodePathPart, parseRequestTarget } from './request-target';
import type { SigV4Verifier } from './sigv4-verifier';
import type { HttpRouteModel } from './stack-model';

export interface HttpApiServerOptions {
  routes: HttpRouteModel[];
  runtime: LambdaRuntime;
  /** Resolved once the server listens (the domain name carries the port). */
  identity: () => HttpApiIdentity;
  /** With `iam` on: checks the SigV4 signature of requests to `AWS_IAM` routes; null checks nothing. */
  verifier: SigV4Verifier | null;
  logEvent: ((line: string) => void) | null;
  log: (line: string) => void;
}

/** HTTP API payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Permissive CORS so the local front end can call it; in AWS the routes need SigV4 instead. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
};

// aws-jwt-verify is loaded only for a template with JWT authorizers (`require`, not `import()`, so that the
// CommonJS build of the package resolves it too).
const loadJwtAuthorizer = (): typeof import('./jwt-authorizer').createJwtAuthorizer =>
  (require('./jwt-authorizer') as typeof import('./jwt-authorizer')).createJwtAuthorizer;

/**
 * The HTTP API of the template (SAM `HttpApi` events, or the routes of an HTTP-protocol API), with payload
 * format 2.0 events and result mapping. `JWT` routes check the bearer token always, as API Gateway does.
 */
export function createHttpApiServer(options: HttpApiServerOptions): Server {
  const route = createHttpApiRouter(options.routes);
  // One per authorizer, so its keys are fetched once, as API Gateway caches them.
  const jwtAuthorizers = new Map<string, JwtAuthorizer>();
  for (const { jwt } of options.routes) {
    if (jwt && !jwtAuthorizers.has(jwt.logicalId)) jwtAuthorizers.set(jwt.logicalId, loadJwtAuthorizer()(jwt));
  }
  return createServer((request, response) => {
    void (async () => {
      const target = parseRequestTarget(request.url);
      const method = request.method ?? 'GET';
      const requestId = Math.random().toString(36).slice(2, 14);
      if (method === 'OPTIONS') {
        response.writeHead(204, CORS);
        return response.end();
      }
      if (decodePathPart(target.path) === null) {
        return sendJson(response, 400, { message: 'Bad Request' }, { ...CORS, 'apigw-requestid': requestId });
      }
      const match = route(method, target.path);
      if (!match) return sendJson(response, 404, { message: 'Not Found' }, { ...CORS, 'apigw-requestid': requestId });
      const body = await readBody(request, MAX_BODY_BYTES);
      if (body === null) return sendJson(response, 413, { message: 'Request Entity Too Large' }, CORS);
      let jwt: JwtAuthorizerContext | undefined;
      const jwtAuthorizer = match.jwt && jwtAuthorizers.get(match.jwt.logicalId);
      if (match.authorization === 'JWT' && jwtAuthorizer) {
        const checked = await jwtAuthorizer.check(request.headers.authorization);
        if (!checked.valid) {
          options.logEvent?.(`${match.routeKey} 401 (JWT: ${checked.reason})`);
          return sendJson(response, 401, { message: 'Unauthorized' }, { ...CORS, 'apigw-requestid': requestId });
        }
        jwt = checked.context;
      }
      if (match.authorization === 'AWS_IAM' && options.verifier) {
        const checked = await options.verifier.verifyHeaders(receivedRequest(request, body));
        if (!checked.valid) {
          options.logEvent?.(`${match.routeKey} 403 (IAM: ${checked.reason})`);
          return sendJson(response, 403, { message: 'Forbidden' }, { ...CORS, 'apigw-requestid': requestId });
        }
      }
      const event = buildHttpApiEvent(
        {
          method,
          rawPath: target.path,
          rawQueryString: target.query,
          rawHeaders: request.rawHeaders,
          body,
          sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        },
        match,
        options.identity(),
        jwt,
      );
      const started = Date.now();
      try {
        const mapped = mapHttpApiResult(await options.runtime.invoke(match.functionId, event));
        options.logEvent?.(`${match.routeKey} ${mapped.statusCode} ${Date.now() - started}ms`);
        response.writeHead(mapped.statusCode, {
          ...CORS,
          ...mapped.headers,
          'content-length': String(mapped.body.length),
          'apigw-requestid': requestId,
          ...(mapped.cookies.length ? { 'set-cookie': mapped.cookies } : {}),
        });
        return response.end(mapped.body);
      } catch (error) {
        const status = error instanceof FunctionNotFoundError ? 502 : 500;
        options.logEvent?.(`${match.routeKey} ${status} ${Date.now() - started}ms`);
        options.log(
          `${match.routeKey} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        );
        return sendJson(
          response,
          status,
          { message: status === 502 ? 'Bad Gateway' : 'Internal Server Error' },
          {
            ...CORS,
            'apigw-requestid': requestId,
          },
        );
      }
    })().catch(() => {
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
    });
  });
}
