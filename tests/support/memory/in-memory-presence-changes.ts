import type { PresenceChange, PresenceChanges } from '../../../src/domain/ports/presence-changes';

/** Presence changes in the order they were marked; tests take them and run them as the presence worker would. */
export class InMemoryPresenceChanges implements PresenceChanges {
  readonly pending: PresenceChange[] = [];

  async mark(changes: PresenceChange[]): Promise<void> {
    this.pending.push(...changes.map((change) => ({ ...change })));
  }

  /** Everything marked so far, emptying the queue. */
  takeAll(): PresenceChange[] {
    return this.pending.splice(0, this.pending.length);
  }
}
