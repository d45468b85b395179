/**
 * What one member of a room made of the presence frames it received: how many, how close together, and who it
 * believes is in the room at the end. Pure, so that the accounting the burst section reports is tested apart.
 */

export interface PresenceUser {
  userId: string;
  name?: string;
}

/** The fields of a presence frame the tally reads (see packages/client/src/wire/frames.ts `PresenceFrame`). */
export interface ReceivedPresence {
  /** When the member received it, in milliseconds on any clock shared by the whole run. */
  at: number;
  tick?: number;
  count?: number;
  joined?: PresenceUser[];
  left?: PresenceUser[];
}

export interface PresenceTally {
  frames: number;
  /** From the first frame to the last (0 with fewer than two frames). */
  spanMs: number;
  /** The intervals the frames span, counting both ends: one frame per interval at most gives `frames <= slots`. */
  slots: number;
  /** `frames / slots`: at most about 1 when frames are coalesced per interval. */
  framesPerInterval: number;
  /** The most frames received within any window of one interval (sliding). */
  maxInOneInterval: number;
  /** The shortest time between two consecutive frames (NaN with fewer than two frames). */
  minGapMs: number;
  /** Sum of `joined` minus sum of `left` over the frames applied. */
  netJoined: number;
  /** Users the member believes are present from the rosters (joined adds, left removes). */
  roster: number;
  /** `count` of the last frame applied (undefined when no applied frame carried one). */
  lastCount: number | undefined;
  /** Frames with nothing new: their tick not the highest, and every user in them changed by a newer frame. */
  stale: number;
}

/**
 * Tallies the presence frames one member received, in the order received, applied as a client does (frames
 * of a room may arrive out of tick order): a user's join or leave only when its frame's tick is above the
 * one that last changed that user, `count` from the frame with the highest tick. A frame without a tick or
 * with tick 0 (the frames announced in place by the old handshake) is always applied. `intervalMs` is the
 * presence interval.
 */
export function tallyPresence(received: ReceivedPresence[], intervalMs: number): PresenceTally {
  const times = received.map((frame) => frame.at).sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  const spanMs = times.length > 1 ? last - first : 0;
  const slots = times.length === 0 ? 0 : Math.round(spanMs / intervalMs) + 1;

  let maxInOneInterval = 0;
  let minGapMs = Number.NaN;
  for (let end = 0, start = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= intervalMs) start += 1;
    maxInOneInterval = Math.max(maxInOneInterval, end - start + 1);
    if (end > 0) {
      const gap = (times[end] as number) - (times[end - 1] as number);
      minGapMs = Number.isNaN(minGapMs) ? gap : Math.min(minGapMs, gap);
    }
  }

  const present = new Set<string>();
  const userTicks = new Map<string, number>();
  let netJoined = 0;
  let lastCount: number | undefined;
  let lastTick = Number.NEGATIVE_INFINITY;
  let stale = 0;
  for (const frame of received) {
    // Ticks of 0 (or none) are the legacy frames announced in place: always applied, in order received.
    const tick = frame.tick && frame.tick > 0 ? frame.tick : Number.POSITIVE_INFINITY;
    const fresh = (user: PresenceUser): boolean => tick > (userTicks.get(user.userId) ?? Number.NEGATIVE_INFINITY);
    const joined = (frame.joined ?? []).filter(fresh);
    const left = (frame.left ?? []).filter(fresh);
    const newest = tick === Number.POSITIVE_INFINITY || tick > lastTick;
    if (!newest && joined.length === 0 && left.length === 0) {
      stale += 1;
      continue;
    }
    if (tick !== Number.POSITIVE_INFINITY) {
      for (const user of [...joined, ...left]) userTicks.set(user.userId, tick);
    }
    for (const user of joined) present.add(user.userId);
    for (const user of left) present.delete(user.userId);
    netJoined += joined.length - left.length;
    if (newest) {
      if (tick !== Number.POSITIVE_INFINITY) lastTick = tick;
      if (typeof frame.count === 'number') lastCount = frame.count;
    }
  }

  return {
    frames: received.length,
    spanMs,
    slots,
    framesPerInterval: slots === 0 ? 0 : received.length / slots,
    maxInOneInterval,
    minGapMs,
    netJoined,
    roster: present.size,
    lastCount,
    stale,
  };
}

/**
 * Whether the member ends up seeing `expected` other users: by its roster, or, once the room is above the roster
 * threshold and frames carry counts only, by the last `count` (which includes the member itself).
 */
export function seesEveryone(tally: PresenceTally, expected: number): boolean {
  return tally.roster === expected || tally.lastCount === expected + 1;
}
