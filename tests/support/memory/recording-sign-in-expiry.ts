import type { SignInExpiry, SignInExpiryCheck } from '../../../src/domain/ports/sign-in-expiry';

/** Keeps every expiry check asked for, in order, so a test can see them and run them when it likes. */
export class RecordingSignInExpiry implements SignInExpiry {
  readonly scheduled: SignInExpiryCheck[] = [];
  /** When set, `schedule` rejects with it (the timer service is down) and records nothing. */
  failure: Error | undefined;

  async schedule(check: SignInExpiryCheck): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.scheduled.push({ ...check });
  }
}
