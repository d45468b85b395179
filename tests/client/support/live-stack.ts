import { resolve } from 'node:path';
import type { WebSocketConstructor } from '@switchboard/client';
import WebSocket from 'ws';
import { type SwitchboardStack as LocalStack, startSwitchboardStack } from '../../../scripts/local/switchboard-stack';
import { testStackOptions } from '../../e2e/support/e2e-stack';

export const PROJECT_ROOT = resolve(__dirname, '../../..');

/**
 * The per-connection rate limits raised out of the way, for tests of delivery and outcomes that publish
 * faster than a person would (the client waiting out `rate_limited` is tested with the real limits).
 */
export const RAISED_RATES: Record<string, string> = Object.fromEntries(
  ['PUBLISH', 'SUBSCRIBE', 'READ', 'CHAT', 'SESSION'].flatMap((routeClass) => [
    [`${routeClass}_RATE_PER_SECOND`, '1000'],
    [`${routeClass}_BURST`, '1000'],
  ]),
);

/** The whole local stack for tests (`testStackOptions`); `gateway` shortens API Gateway's limits for a test. */
export async function startLiveStack(
  gateway: { maxConnectionMs?: number; idleTimeoutMs?: number } = {},
  env: Record<string, string> = RAISED_RATES,
): Promise<LocalStack> {
  return startSwitchboardStack({ ...testStackOptions(env), ...gateway });
}

/**
 * `ws` as the client's WebSocket (Node 20 has no global one), keeping every socket it opens so a test can
 * cut the current one off the way a lost network does: no close frame, the TCP connection just ends.
 */
export function recordingWebSocket(): {
  WebSocket: WebSocketConstructor;
  current(): WebSocket | undefined;
  opened(): number;
} {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Recording as unknown as WebSocketConstructor,
    current: () => sockets.at(-1),
    opened: () => sockets.length,
  };
}

export async function publishOverHttp(
  stack: LocalStack,
  topic: string,
  message: unknown,
  id?: string,
): Promise<number> {
  const response = await fetch(`${stack.httpUrl}/topics/${encodeURIComponent(topic)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(id === undefined ? { message } : { message, id }),
  });
  if (response.status !== 202) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { seq: number }).seq;
}

/** Every stored message of a topic, oldest first. */
export async function storedMessages(
  stack: LocalStack,
  topic: string,
): Promise<Array<{ seq: number; message: unknown }>> {
  const response = await fetch(`${stack.httpUrl}/topics/${encodeURIComponent(topic)}/messages?since=0&limit=1000`);
  return ((await response.json()) as { messages: Array<{ seq: number; message: unknown }> }).messages;
}

/** Disconnects a connection from the server side, as API Gateway's DeleteConnection does. */
export async function deleteConnection(stack: LocalStack, connectionId: string): Promise<void> {
  const response = await fetch(
    `${stack.wsUrl.replace(/^ws/, 'http')}/@connections/${encodeURIComponent(connectionId)}`,
    { method: 'DELETE' },
  );
  if (response.status !== 204 && response.status !== 410)
    throw new Error(`DeleteConnection answered ${response.status}`);
}

/** Polls until `check` holds; `what` is read when it times out, so it can say how far things got. */
export async function until(check: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}
