/** `@connections` refused a send because the account's request rate was exceeded (HTTP 429): try again later. */
export class DeliveryThrottledError extends Error {
  constructor(message = 'Delivery throttled', options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryThrottledError';
  }
}
