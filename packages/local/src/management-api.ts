import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionRegistry } from './connection-registry';
import { readBody, sendJson } from './http-io';
import { receivedRequest } from './received-request';
import { decodePathPart, parseRequestTarget } from './request-target';
import type { SigV4Verifier } from './sigv4-verifier';

/** API Gateway's PostToConnection payload limit. */
const MAX_POST_BYTES = 128 * 1024;

export interface ManagementApiOptions {
  connections: ConnectionRegistry;
  stage: string;
  /** Delay added to every `@connections` call, to make local benchmarks feel the network. */
  latencyMs: number;
  logEvent: ((line: string) => void) | null;
  /** With `iam` on: every call must be SigV4-signed with the local key pair, as in AWS; null checks nothing. */
  verifier: SigV4Verifier | null;
}

/** Handles a request if it is for `@connections`; returns false to let another handler try. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

const PATH = /^(?:\/([^/]+))?\/@connections\/([^/]+)\/?$/;

function error(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { message }, { 'x-amzn-ErrorType': type });
}

/**
 * The `@connections` management API (PostToConnection, GetConnection, DeleteConnection) at
 * `/@connections/{id}` and `/{stage}/@connections/{id}`, with the status codes and error types that make the
 * real `@aws-sdk/client-apigatewaymanagementapi` client throw the same exceptions as in AWS.
 */
export function createManagementApi(options: ManagementApiOptions): RequestHandler {
  const handle = async (request: IncomingMessage, response: ServerResponse, stage: string | undefined, id: string) => {
    if (stage !== undefined && stage !== options.stage) return error(response, 403, 'ForbiddenException', 'Forbidden');
    if (options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const method = request.method ?? 'GET';
    const body = method === 'POST' ? await readBody(request, MAX_POST_BYTES) : await readBody(request);
    if (body === null) return error(response, 413, 'PayloadTooLargeException', 'Message too long');
    if (options.verifier) {
      const checked = await options.verifier.verifyHeaders(receivedRequest(request, body));
      if (!checked.valid) {
        options.logEvent?.(`@connections ${method} ${id} 403 (IAM: ${checked.reason})`);
        return error(response, 403, 'ForbiddenException', 'Forbidden');
      }
    }
    const connection = options.connections.get(id);
    const open = connection !== undefined && connection.socket.readyState === connection.socket.OPEN;
    if (method === 'POST') {
      if (!open) return error(response, 410, 'GoneException', `Connection ${id} is gone`);
      connection.socket.send(body.toString('utf8'));
      return sendJson(response, 200, undefined);
    }
    if (!open) return error(response, 410, 'GoneException', `Connection ${id} is gone`);
    if (method === 'GET') {
      return sendJson(response, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (method === 'DELETE') {
      connection.closeByServer(1000, 'Connection deleted by the @connections API');
      options.logEvent?.(`@connections DELETE ${id}`);
      return sendJson(response, 204, undefined);
    }
    return error(response, 403, 'ForbiddenException', 'Forbidden');
  };

  return (request, response) => {
    const match = PATH.exec(parseRequestTarget(request.url).path);
    if (!match?.[2]) return false;
    const id = decodePathPart(match[2]);
    if (id === null) {
      error(response, 400, 'BadRequestException', 'Bad Request');
      return true;
    }
    handle(request, response, match[1], id).catch(() => {
      if (!response.headersSent) error(response, 500, 'InternalServerErrorException', 'Internal server error');
    });
    return true;
  };
}
