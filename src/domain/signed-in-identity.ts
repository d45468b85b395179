import { displayNameProblem } from '../../packages/client/src/wire/rules';

/** How a signed-in user proved who they are at `$connect`: a JWT checked by the authorizer, or a SigV4-signed URL. */
export type SignInMethod = 'jwt' | 'iam';

/** Who the handshake's authorization says the caller is (the gateway checked it before `$connect` ran). */
export interface SignedInIdentity {
  method: SignInMethod;
  /** The token's `sub`, or the IAM identity (Cognito identity id, else the caller's ARN). */
  subject: string;
  /** The display name the identity provider gave, if any (any text: it is checked here, not trusted). */
  name?: string;
  /** When the proof stops being valid (a JWT's `exp`); the connection ends then. */
  expiresAt?: Date;
}

/**
 * The user id of a signed-in identity: the subject with its method as a suffix. Anonymous ids are UUIDs,
 * which never contain `@`, so the two can never collide, and a JWT subject cannot pose as an IAM one. The
 * user's tag is a hash of this whole id (`userTag`); its guest name is drawn from the subject's own part
 * (`userIdOwnPart`).
 */
export function signedInUserId(identity: Pick<SignedInIdentity, 'method' | 'subject'>): string {
  return `${identity.subject}@${identity.method}`;
}

/** The provider's display name when it is one the protocol accepts, else nothing (the caller picks another). */
export function providerDisplayName(identity: Pick<SignedInIdentity, 'name'>): string | undefined {
  const name = identity.name;
  return name !== undefined && displayNameProblem(name) === undefined ? name.trim() : undefined;
}
