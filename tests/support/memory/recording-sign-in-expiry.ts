import type { SignInExpiry, SignInExpiryCheck } from '../../../src/domain/ports/sign-in-expiry';

/** Keeps every expiry check asked for, in order, so a test can see them and run them when it likes. */
export class RecordingSignInExpiry implements SignInExpiry {
  readonly scheduled: SignInExpiryCheck[] = [];

  async schedule(check: SignInExpiryCheck): Promise<void> {
    this.scheduled.push({ ...check });
  }
}
