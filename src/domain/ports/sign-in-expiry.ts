/** A connection whose sign-in ends at `expiresAt` (ISO): the token's `exp`. */
export interface SignInExpiryCheck {
  connectionId: string;
  expiresAt: string;
}

/**
 * Calls back (through the sign-in expiry worker) at a connection's sign-in expiry, or earlier: a timer
 * service may cap how far ahead it can wait, and the use case asks again until the time has come.
 */
export interface SignInExpiry {
  schedule(check: SignInExpiryCheck): Promise<void>;
}
