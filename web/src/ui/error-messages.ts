import type { ErrorFrame } from '@switchboard/client';

const SENTENCES: Record<string, string> = {
  invalid_json: 'The server could not read what this page sent (it was not valid JSON).',
  invalid_frame: 'The server rejected a request: something in it was missing, empty or of the wrong kind.',
  unknown_action: 'The server does not know that request. The page and the server may be different versions.',
  too_large: 'That was too large for the server. Shorten the message and try again.',
  rate_limited: 'You are sending too fast. Wait a moment; the page will try again.',
  not_subscribed: 'You were not subscribed to that topic.',
  too_many_subscriptions: 'This page follows as many topics as one connection may. Remove one to add another.',
  not_in_room: 'You are not in that room (any more). Join it again to write there.',
  too_many_rooms: 'This page is in as many rooms as one connection may. Leave one to join another.',
  unauthorized: 'The server refused that request for this identity.',
  forbidden: 'The server does not allow that for a signed-in user. To be someone else, sign in as them.',
  token_expired: 'Your sign-in expired. The page signs in again with a fresh token and carries on.',
  internal: 'Something went wrong on the server. Try again in a moment.',
};

const ACTIONS: Record<string, string> = {
  sendmessage: 'sending a chat message',
  send: 'sending a chat message',
  publish: 'publishing',
  subscribe: 'subscribing',
  unsubscribe: 'unsubscribing',
  join: 'joining a room',
  leave: 'leaving a room',
  history: 'loading chat history',
  teleread: 'starting tele-read',
  teleprinter: 'starting tele-read',
  stop: 'stopping tele-read',
  reset: 'resetting the identity',
  hello: 'starting the session',
  who: 'loading who is here',
  ping: 'checking the connection',
};

/** A plain sentence for an `error` frame, for people rather than programs. */
export function describeError(frame: Pick<ErrorFrame, 'code' | 'action'>): string {
  const sentence = SENTENCES[frame.code] ?? `The server reported a problem (${frame.code}).`;
  const action = frame.action === undefined ? undefined : ACTIONS[frame.action];
  return action === undefined ? sentence : `While ${action}: ${sentence}`;
}

/** A plain sentence for API Gateway's own error frame, which does not say which request failed. */
export function describeGatewayError(message: string): string {
  if (message === 'Internal server error') {
    return 'The server failed to handle a request. A waiting publish is sent once more; a waiting chat message can be retried.';
  }
  if (message === 'Forbidden') {
    return 'The server has no route for a request this page sent. The page and the server may be different versions.';
  }
  return `The server's gateway reported a problem ("${message}"). A waiting publish is sent once more; a waiting chat message can be retried.`;
}
