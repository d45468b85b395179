import type { IncomingMessage } from 'node:http';
import { parseRequestTarget } from './request-target';

/** A request as the local servers received it, before any signature check. */
export interface ReceivedRequest {
  method: string;
  /** The Host header, as the client signed it. */
  host: string;
  /** Still percent-encoded, as received. */
  path: string;
  /** Without `?`. */
  query: string;
  /** Raw header name/value pairs (Node's `rawHeaders`). */
  rawHeaders: string[];
  body?: Buffer;
}

/**
 * A request one of the local servers received, with the body it read, as the SigV4 verifier checks it. Apart
 * from the verifier, so that the servers that call it load no signing code when `--iam` is off.
 */
export function receivedRequest(request: IncomingMessage, body: Buffer): ReceivedRequest {
  const target = parseRequestTarget(request.url);
  return {
    method: request.method ?? 'GET',
    host: request.headers.host ?? '',
    path: target.path,
    query: target.query,
    rawHeaders: request.rawHeaders,
    body,
  };
}
