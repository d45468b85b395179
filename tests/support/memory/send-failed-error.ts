/** Thrown by `RecordingNotifier` for a connection marked failing: throttling or a network error, not a 410. */
export class SendFailedError extends Error {
  constructor(connectionId: string, options?: ErrorOptions) {
    super(`Sending to ${connectionId} failed.`, options);
    this.name = 'SendFailedError';
  }
}
