import type { ErrorFrame } from './wire/frames.js';

/** How a publish ended: stored with `seq`, or refused for good. */
export type PublishOutcome =
  | { id: string; topic: string; status: 'acked'; seq: number }
  | { id: string; topic: string; status: 'failed'; error: PublishFailure };

/** Why a publish failed: the server's error frame, API Gateway's error, or the client was closed. */
export type PublishFailure =
  | { kind: 'server'; code: ErrorFrame['code']; message: string }
  | { kind: 'gateway'; message: string }
  | { kind: 'closed'; message: string };

export interface PublishTicket {
  id: string;
  /** Settles once: acked or failed. Never rejects. */
  readonly outcome: Promise<PublishOutcome>;
}

interface Entry {
  id: string;
  topic: string;
  message: unknown;
  /** Sent on the current connection and not answered yet. */
  inFlight: boolean;
  settle: (outcome: PublishOutcome) => void;
}

/**
 * Publishes not yet acknowledged. Each keeps its `id` for life, so a resend after a reconnect or an error
 * is stored by the server once and acked with the original `seq`.
 */
export class PublishOutbox {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  add(id: string, topic: string, message: unknown): PublishTicket {
    let settle!: (outcome: PublishOutcome) => void;
    const outcome = new Promise<PublishOutcome>((resolve) => {
      settle = resolve;
    });
    this.entries.set(id, { id, topic, message, inFlight: false, settle });
    return { id, outcome };
  }

  frame(id: string): { action: 'publish'; topic: string; message: unknown; id: string } | undefined {
    const entry = this.entries.get(id);
    return entry && { action: 'publish', topic: entry.topic, message: entry.message, id };
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  inFlight(): string[] {
    return [...this.entries.values()].filter((entry) => entry.inFlight).map((entry) => entry.id);
  }

  markSent(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.inFlight = true;
  }

  /** The connection is gone: nothing is in flight any more. */
  requeueAll(): void {
    for (const entry of this.entries.values()) entry.inFlight = false;
  }

  ack(id: string, seq: number): PublishOutcome | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    return this.finish(entry, { id, topic: entry.topic, status: 'acked', seq });
  }

  fail(id: string, error: PublishFailure): PublishOutcome | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    return this.finish(entry, { id, topic: entry.topic, status: 'failed', error });
  }

  private finish(entry: Entry, outcome: PublishOutcome): PublishOutcome {
    this.entries.delete(entry.id);
    entry.settle(outcome);
    return outcome;
  }
}
