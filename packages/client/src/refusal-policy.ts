import type { ErrorCode } from './wire/frames.js';

export type MessageKind = 'publish' | 'chat';

/** What to do with the messages of one kind on the wire after a refusal. */
export interface RefusalDecision {
  /** Failed for good, with the server's error. */
  fail: string[];
  /** Sent again at once, with the same id. */
  resendNow: string[];
  /** Every message still on the wire is sent again after this wait. */
  resendAfterMs?: number;
}

export interface RefusalPolicyOptions {
  /** First wait after `rate_limited`; doubles while the server keeps refusing. */
  rateLimitRetryMs: number;
  /** The longest wait after `rate_limited`. */
  maxRetryMs: number;
  /** Sends of one message that met `internal` before it fails. */
  maxServerErrors: number;
}

/**
 * Decides what becomes of publishes and chat messages the server refused. An `error` frame names the
 * action it refuses, not the message's id, and API Gateway's own error frame names nothing, so the policy
 * works on the messages of one kind that are on the wire. Every resend keeps the message's id, so the
 * server stores it once however often it is sent.
 *
 * - `rate_limited`: waited out (the wait doubles while it lasts, and starts over after a success); never fails.
 * - `internal`: sent again after the same wait, up to `maxServerErrors` sends, then failed.
 * - any other code: with one message on the wire it is that one, and it fails; with several, all are sent
 *   once more and those still unanswered at the next such refusal fail.
 * - API Gateway's error: a publish is sent once more; one that meets a second such error fails.
 */
export class RefusalPolicy {
  private readonly serverErrors = new Map<string, number>();
  private readonly suspects = new Set<string>();
  private readonly resentAfterGatewayError = new Set<string>();
  private readonly strikes: Record<MessageKind, number> = { publish: 0, chat: 0 };

  constructor(private readonly options: RefusalPolicyOptions) {}

  onError(kind: MessageKind, code: ErrorCode, inFlight: string[]): RefusalDecision {
    if (code === 'rate_limited') {
      const wait = Math.min(this.options.rateLimitRetryMs * 2 ** this.strikes[kind]++, this.options.maxRetryMs);
      return { fail: [], resendNow: [], resendAfterMs: wait };
    }
    if (code === 'internal') {
      const fail = inFlight.filter((id) => this.countServerError(id) >= this.options.maxServerErrors);
      return { fail, resendNow: [], resendAfterMs: this.options.rateLimitRetryMs };
    }
    const fail = inFlight.length === 1 ? inFlight : inFlight.filter((id) => this.suspects.has(id));
    if (fail.length > 0) return { fail, resendNow: [] };
    for (const id of inFlight) this.suspects.add(id);
    return { fail: [], resendNow: inFlight };
  }

  /** API Gateway's own error, with the publishes on the wire. */
  onGatewayError(inFlight: string[]): RefusalDecision {
    const fail = inFlight.filter((id) => this.resentAfterGatewayError.has(id));
    const resendNow = inFlight.filter((id) => !this.resentAfterGatewayError.has(id));
    for (const id of resendNow) this.resentAfterGatewayError.add(id);
    return { fail, resendNow };
  }

  /** The message was stored (acked or echoed): a success ends a run of rate limiting. */
  stored(kind: MessageKind, id: string): void {
    this.strikes[kind] = 0;
    this.forget(id);
  }

  forget(id: string): void {
    this.serverErrors.delete(id);
    this.suspects.delete(id);
    this.resentAfterGatewayError.delete(id);
  }

  /** A new connection: every message on it gets its resends afresh. */
  newConnection(): void {
    this.suspects.clear();
    this.resentAfterGatewayError.clear();
  }

  private countServerError(id: string): number {
    const count = (this.serverErrors.get(id) ?? 0) + 1;
    this.serverErrors.set(id, count);
    return count;
  }
}
