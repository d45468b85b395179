import { createIdentityTokenVerifier } from '../authorizer-composition-root';
import { InvalidIdentityTokenError } from '../domain/errors';
import type { IdentityTokenVerifier } from '../domain/ports/identity-token-verifier';
import { createObservability, type Observability } from './observability';
import { signInToken } from './ws/sign-in-token';

/** The parts of API Gateway's REQUEST authorizer event (WebSocket `$connect`) that the authorizer reads. */
export interface RequestAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext?: { connectionId?: string };
}

/** What `$connect` and every later route of the connection find in `requestContext.authorizer`. */
export interface SignInContext {
  [key: string]: string | number;
  /** The token's `sub`. */
  sub: string;
  /** The token's `exp` (epoch seconds): the connection ends then. */
  exp: number;
  /** The display name claim, when the token has one. */
  name: string;
}

export interface AuthorizerResponse {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: Array<{ Action: 'execute-api:Invoke'; Effect: 'Allow'; Resource: string }>;
  };
  context: SignInContext;
}

/**
 * `$connect`'s Lambda REQUEST authorizer (`AuthMode=jwt`). Allows the handshake whose token verifies and
 * hands its identity to `$connect`; any other is refused with 401 by throwing `Unauthorized`, which is the
 * one thing API Gateway turns into 401. The reason goes to the log, never to the client, and nothing is
 * written: `$connect` does not run.
 */
export function createAuthorizerHandler(verifier: IdentityTokenVerifier, { logger }: Pick<Observability, 'logger'>) {
  return async (event: RequestAuthorizerEvent): Promise<AuthorizerResponse> => {
    const connectionId = event.requestContext?.connectionId;
    const token = signInToken(event);
    if (token === undefined) {
      logger.info('Handshake refused', { connectionId, reason: 'no sign-in token' });
      throw new Error('Unauthorized');
    }
    try {
      const identity = await verifier.verify(token);
      return {
        principalId: identity.subject,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
        },
        context: {
          sub: identity.subject,
          exp: Math.floor((identity.expiresAt?.getTime() ?? 0) / 1000),
          name: identity.name ?? '',
        },
      };
    } catch (error) {
      if (!(error instanceof InvalidIdentityTokenError)) throw error;
      logger.info('Handshake refused', { connectionId, reason: error.message });
      throw new Error('Unauthorized');
    }
  };
}

/**
 * Made at the first handshake and kept for the container's life (so is its JWKS cache). Not at module load, so
 * that a module without its configuration loads and fails only the handshake, with the reason in the log.
 */
let verifier: IdentityTokenVerifier | undefined;
const lazyVerifier: IdentityTokenVerifier = {
  verify: (token) => {
    verifier ??= createIdentityTokenVerifier();
    return verifier.verify(token);
  },
};

export const handler = createAuthorizerHandler(lazyVerifier, createObservability());
