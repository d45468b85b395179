import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { awsIds } from './aws-ids';
import type { ConnectionJournal } from './connection-journal';
import type { ConnectionRegistry, LocalConnection } from './connection-registry';
import { FunctionNotFoundError, type LambdaRuntime } from './lambda-runtime';
import { runRequestAuthorizer } from './request-authorizer';
import { parseRequestTarget } from './request-target';
import { selectRoute } from './route-selection';
import type { SigV4Verifier } from './sigv4-verifier';
import type { WebSocketApiModel } from './stack-model';
import type { ConnectionIdentity, IamCaller, WebSocketEventBuilder } from './websocket-events';

/** How long stopping waits for handshakes still running `$connect`, as the invoke API waits for its Event invocations. */
const HANDSHAKE_DRAIN_MS = 2000;

/** API Gateway's frame limit: a bigger frame closes the connection with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024;

export interface WebSocketGatewayOptions {
  server: Server;
  api: WebSocketApiModel;
  stage: string;
  runtime: LambdaRuntime;
  events: WebSocketEventBuilder;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect`: what a REQUEST authorizer's policy must allow. */
  connectMethodArn: string;
  connections: ConnectionRegistry;
  /** Where the connections whose `$disconnect` has not run yet are kept, to end them after a crash. */
  journal: ConnectionJournal;
  /** API Gateway closes a connection without client frames for 10 minutes (1001). */
  idleTimeoutMs: number;
  /** API Gateway closes every connection after 2 hours (1001). */
  maxConnectionMs: number;
  /** One line per connection and route invocation; null when quiet. */
  logEvent: ((line: string) => void) | null;
  log: (line: string) => void;
  /** With `iam` on: a `$connect` route with `AuthorizationType: AWS_IAM` needs a SigV4-presigned URL. */
  iam?: { verifier: SigV4Verifier; accountId: string } | null;
}

export interface WebSocketGateway {
  /**
   * Runs `$disconnect` (1006) for connections a previous process accepted and never ended: it died with their
   * sockets, so none of them is open any more.
   */
  endConnectionsLeftOpen(connections: ConnectionIdentity[]): Promise<void>;
  /** Closes every socket with 1001 and waits for their `$disconnect` runs. */
  closeAll(): Promise<void>;
}

interface ProxyResult {
  statusCode?: unknown;
  headers?: Record<string, unknown>;
  body?: unknown;
}

const asProxyResult = (value: unknown): ProxyResult =>
  typeof value === 'object' && value !== null ? (value as ProxyResult) : {};

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  400: 'Bad Request',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: REASONS[status] ?? 'Forbidden' });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const CLIENT_CLOSE_REASONS: Record<number, string> = {
  1005: 'Client-side close frame status not set',
  1006: 'Connection closed abnormally',
};

/**
 * The WebSocket side of API Gateway: runs `$connect` before accepting the upgrade, routes frames by the
 * route selection expression, runs `$disconnect` for every closed socket, and enforces the frame size,
 * idle and duration limits.
 */
export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { api, runtime, events, connections } = options;
  const routeKeys = new Set(api.routes.keys());
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const pending = new Set<Duplex>();
  const disconnects = new Set<Promise<void>>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, request) => chosenProtocol.get(request) ?? false,
  });

  const invokeRoute = async (routeKey: string, connectionId: string, event: unknown): Promise<ProxyResult> => {
    const route = api.routes.get(routeKey);
    if (!route?.functionId) return {};
    const started = Date.now();
    try {
      const result = asProxyResult(await runtime.invoke(route.functionId, event));
      options.logEvent?.(`${routeKey} ${connectionId} ${String(result.statusCode ?? 200)} ${Date.now() - started}ms`);
      return result;
    } catch (error) {
      options.logEvent?.(`${routeKey} ${connectionId} error ${Date.now() - started}ms`);
      options.log(
        `${routeKey} ${connectionId} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      throw error;
    }
  };

  /** Resolves once `$disconnect` has run (a failure is logged by `invokeRoute`) and the journal knows it. */
  const runDisconnect = (identity: ConnectionIdentity, code: number, reason: string): Promise<void> => {
    options.logEvent?.(`close ${identity.connectionId} ${code}`);
    const invoked = api.routes.has('$disconnect')
      ? invokeRoute('$disconnect', identity.connectionId, events.disconnect(identity, code, reason))
      : Promise.resolve();
    const run = invoked
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => options.journal.ended(identity.connectionId));
    disconnects.add(run);
    void run.finally(() => disconnects.delete(run));
    return run;
  };

  const sendFrame = (socket: WebSocket, data: string): void => {
    if (socket.readyState === socket.OPEN) socket.send(data);
  };

  const onMessage = async (connection: LocalConnection, data: Buffer, isBinary: boolean): Promise<void> => {
    const routeKey = selectRoute(api.routeSelectionExpression, data, isBinary, routeKeys);
    const requestId = awsIds.gatewayId();
    if (routeKey === null) {
      sendFrame(
        connection.socket,
        JSON.stringify({ message: 'Forbidden', connectionId: connection.connectionId, requestId }),
      );
      return;
    }
    try {
      const result = await invokeRoute(
        routeKey,
        connection.connectionId,
        events.message(connection, routeKey, data, isBinary),
      );
      if (api.routes.get(routeKey)?.returnsResponse && result.body !== undefined && result.body !== null) {
        sendFrame(connection.socket, typeof result.body === 'string' ? result.body : JSON.stringify(result.body));
      }
    } catch {
      sendFrame(
        connection.socket,
        JSON.stringify({
          message: 'Internal server error',
          connectionId: connection.connectionId,
          requestId,
        }),
      );
    }
  };

  const accept = (socket: WebSocket, identity: ConnectionIdentity): void => {
    let serverClose: { code: number; reason: string } | null = null;
    let idleTimer: NodeJS.Timeout | undefined;
    const closeByServer = (code: number, reason: string): void => {
      serverClose ??= { code, reason };
      socket.close(code, reason);
    };
    const resetIdle = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => closeByServer(1001, 'Going away'), options.idleTimeoutMs);
    };
    const maxTimer = setTimeout(() => closeByServer(1001, 'Going away'), options.maxConnectionMs);
    const connection: LocalConnection = { ...identity, socket, lastActiveAt: identity.connectedAt, closeByServer };
    connections.add(connection);
    resetIdle();
    options.logEvent?.(`open ${identity.connectionId}`);

    socket.on('message', (data: RawData, isBinary: boolean) => {
      connection.lastActiveAt = Date.now();
      resetIdle();
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      void onMessage(connection, buffer, isBinary);
    });
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') serverClose ??= { code: 1009, reason: 'Message too big' };
      else options.log(`socket ${identity.connectionId}: ${error.message}`);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clearTimeout(idleTimer);
      clearTimeout(maxTimer);
      connections.remove(identity.connectionId);
      const final = serverClose ?? { code, reason: reason.toString() || (CLIENT_CLOSE_REASONS[code] ?? '') };
      void runDisconnect(identity, final.code, final.reason);
    });
  };

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const target = parseRequestTarget(request.url);
    // Empty segments do not count: `ws://localhost:3001//` is the root, as `ws://localhost:3001/`.
    const path = target.path.replace(/\/{2,}/g, '/');
    if (path !== '/' && path !== `/${options.stage}` && path !== `/${options.stage}/`) {
      refuse(socket, 403);
      return;
    }
    let iamCaller: IamCaller | undefined;
    if (options.iam && api.routes.get('$connect')?.iam) {
      const checked = await options.iam.verifier.verifyPresigned({
        method: request.method ?? 'GET',
        host: request.headers.host ?? '',
        path: target.path,
        query: target.query,
        rawHeaders: request.rawHeaders,
      });
      if (!checked.valid) {
        options.logEvent?.(`$connect 403 (IAM: ${checked.reason})`);
        refuse(socket, 403);
        return;
      }
      iamCaller = { accessKeyId: checked.caller.accessKeyId, accountId: options.iam.accountId };
    }
    pending.add(socket);
    socket.on('error', () => undefined);
    const identity: ConnectionIdentity = {
      connectionId: awsIds.gatewayId(),
      connectedAt: Date.now(),
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: request.headers['user-agent'] ?? '',
    };
    const authorizer = api.routes.get('$connect')?.authorizer;
    let authorizerLatencyMs = 0;
    if (authorizer) {
      const started = Date.now();
      const handshake = { rawHeaders: request.rawHeaders, query: target.query };
      const decision = await runRequestAuthorizer({
        authorizer,
        request: handshake,
        connectEvent: () => events.connect(handshake, identity),
        methodArn: options.connectMethodArn,
        invoke: (functionId, event) => runtime.invoke(functionId, event),
      });
      authorizerLatencyMs = Date.now() - started;
      if (decision.kind === 'refuse') {
        pending.delete(socket);
        const line = `$connect ${identity.connectionId} ${decision.status} ${authorizerLatencyMs}ms (${authorizer.logicalId}: ${decision.reason})`;
        // A refusal is the authorizer doing its job; a 500 is a bug in it, which the quiet log also shows.
        if (decision.status === 500) options.log(line);
        else options.logEvent?.(line);
        refuse(socket, decision.status);
        return;
      }
      identity.authorizer = decision.authorizer;
    }
    let result: ProxyResult = {};
    options.journal.opened(identity);
    try {
      if (api.routes.has('$connect')) {
        const event = events.connect({ rawHeaders: request.rawHeaders, query: target.query }, identity, iamCaller);
        if (event.requestContext.authorizer) event.requestContext.authorizer.integrationLatency = authorizerLatencyMs;
        result = await invokeRoute('$connect', identity.connectionId, event);
      }
    } catch (error) {
      pending.delete(socket);
      options.journal.ended(identity.connectionId);
      refuse(socket, error instanceof FunctionNotFoundError ? 502 : 500);
      return;
    }
    pending.delete(socket);
    const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
    if (status < 200 || status > 299) {
      options.journal.ended(identity.connectionId);
      refuse(socket, status);
      return;
    }
    const offered = request.headers['sec-websocket-protocol'];
    const echoed = headerValue(result.headers, 'sec-websocket-protocol');
    if (offered !== undefined && echoed !== undefined) chosenProtocol.set(request, echoed.split(',')[0]!.trim());
    // `$connect` succeeded, so `$disconnect` must run whatever happens to the socket, as in API Gateway. ws
    // calls back synchronously (no async `verifyClient`), or never: it destroys a socket that has been
    // closed or half-closed (a client FIN while `$connect` ran) and refuses a malformed upgrade.
    let opened = false;
    try {
      wss.handleUpgrade(request, socket, head, (ws) => {
        opened = true;
        accept(ws, identity);
      });
    } finally {
      if (!opened) {
        if (!socket.writableEnded) socket.destroy(); // ws may be sending a 400 for a malformed upgrade
        void runDisconnect(identity, 1006, CLIENT_CLOSE_REASONS[1006] ?? '');
      }
    }
  };

  const handshakes = new Set<Promise<void>>();
  options.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const handshake = onUpgrade(request, socket, head).catch((error: unknown) => {
      options.log(`handshake failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      if (!socket.destroyed) refuse(socket, 500);
    });
    handshakes.add(handshake);
    void handshake.finally(() => handshakes.delete(handshake));
  });

  return {
    async endConnectionsLeftOpen(leftOpen) {
      await Promise.all(leftOpen.map((identity) => runDisconnect(identity, 1006, CLIENT_CLOSE_REASONS[1006] ?? '')));
    },
    async closeAll() {
      for (const socket of pending) socket.destroy();
      // A handshake whose `$connect` succeeds runs its `$disconnect` before it ends; but a `$connect` (or
      // authorizer) stuck in a container that never loads would hold the stop for its whole init limit. The
      // runtime, closed after this, fails what still runs.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...handshakes]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, HANDSHAKE_DRAIN_MS);
        }),
      ]);
      clearTimeout(timer);
      const open = connections.all();
      const closed = open.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.socket.readyState === c.socket.CLOSED) return resolve();
            c.socket.once('close', () => resolve());
            c.closeByServer(1001, 'Going away');
            setTimeout(() => c.socket.terminate(), 1000).unref();
          }),
      );
      await Promise.all(closed);
      await Promise.all([...disconnects]);
      wss.close();
    },
  };
}
