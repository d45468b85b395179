import { forEachBounded } from '../concurrency';
import type { Dependencies } from '../dependencies';
import { PRESENCE_DEFAULTS } from '../dependencies';
import type { ChatUser } from '../frames';
import { roomChannel, type Subscriber } from '../model';
import type { PresenceChange } from '../ports/presence-changes';
import type { RoomClaim } from '../ports/presence-ledger';
import { decideRoom, type UserPresence } from '../presence/presence-decision';
import { RoomBusyError } from '../presence/room-busy-error';
import { type BroadcastPorts, broadcast } from './broadcast';

/** What announcing presence touches: the records (the truth), the ledger (what was told) and the broadcast. */
export type AnnouncePresencePorts = BroadcastPorts &
  Pick<Dependencies, 'presenceLedger'> & {
    /** Waits for another worker's claim on a room to run out (virtual time in tests). */
    pause: (ms: number) => Promise<void>;
  };

/** A change as it came in, with the id its source acknowledges it by. */
export interface ReceivedChange {
  id: string;
  change: PresenceChange;
}

export interface PresenceBatchResult {
  /** Ids of the changes whose room could not be processed: their source delivers them again. */
  failed: string[];
  /** One entry per room that failed, for the logs. */
  errors: Array<{ room: string; error: unknown }>;
  /** Presence frames broadcast (one per room at most). */
  frames: number;
}

/**
 * How long a batch waits, in all, for other workers' claims on its rooms before it hands the changes of the
 * rooms it could not claim back to the queue: well inside the worker's 30 s timeout (one budget for the whole
 * batch, whose rooms are taken in turn, not one per room), and several intervals, because with a few workers
 * a room that changes all the time may be taken by another waiting worker more than once.
 */
const CLAIM_WAIT_BUDGET_MS = 20_000;
/**
 * How long a claim holds a room unless its worker releases it sooner: past the worker's 30 s timeout, so that
 * two workers never compare and record one room at once (a worker still reading when another took over could
 * record a join of a user who has left since; its record is refused once the room is claimed again, but
 * writes already in flight are not). A worker that dies mid-room holds it this long at most.
 */
const CLAIM_HOLD_MS = 35_000;
/** Rooms of one batch processed at once. */
const ROOMS_IN_FLIGHT = 8;

/**
 * The presence worker: groups a batch of changes by room and announces each room once. A room that fails
 * fails only its own changes (they come again); the other rooms of the batch are done.
 */
export async function announcePresence(
  deps: AnnouncePresencePorts,
  changes: ReceivedChange[],
): Promise<PresenceBatchResult> {
  const rooms = new Map<string, { ids: string[]; users: Map<string, string[]> }>();
  for (const { id, change } of changes) {
    const room = rooms.get(change.room) ?? { ids: [], users: new Map<string, string[]>() };
    room.ids.push(id);
    const joinedBy = room.users.get(change.userId) ?? [];
    if (change.joinedBy !== undefined && !joinedBy.includes(change.joinedBy)) joinedBy.push(change.joinedBy);
    room.users.set(change.userId, joinedBy);
    rooms.set(change.room, room);
  }
  const result: PresenceBatchResult = { failed: [], errors: [], frames: 0 };
  const giveUpAt = deps.clock.now().getTime() + CLAIM_WAIT_BUDGET_MS;
  const queue = [...rooms];
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [room, { ids, users }] = next;
      try {
        if (await announceRoom(deps, room, users, giveUpAt)) result.frames += 1;
      } catch (error) {
        result.failed.push(...ids);
        result.errors.push({ room, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ROOMS_IN_FLIGHT, queue.length) }, lane));
  return result;
}

/**
 * The users a batch touched in one room, each with the connections whose joining touched them (none for a
 * leave).
 */
export type TouchedUsers = Map<string, string[]>;

/**
 * Tells one room what changed for the users a batch touched: holds the room while it compares each user's
 * records with what the room was told, records the difference and broadcasts it, then keeps it held to the
 * end of the interval. Returns whether a frame went out. The record is written before the broadcast, so a
 * worker that claims the room next never announces the same change again; a delivery that fails is not
 * repeated (`who` is the truth). A worker that fails before its broadcast is done releases the room as not
 * told (or, stopped, does not release it), and the next claim sends the count again.
 */
export async function announceRoom(
  deps: AnnouncePresencePorts,
  room: string,
  users: TouchedUsers,
  giveUpAt = deps.clock.now().getTime() + CLAIM_WAIT_BUDGET_MS,
): Promise<boolean> {
  const settings = deps.settings.presence ?? PRESENCE_DEFAULTS;
  const claim = await claimRoom(deps, room, giveUpAt);
  // Told unless this worker fails before its broadcast is done: then the next claim sends the count again.
  let told = false;
  try {
    const sent = await tellRoom(deps, room, users, claim);
    told = true;
    return sent;
  } finally {
    const until = new Date(claim.at.getTime() + settings.intervalMs);
    await deps.presenceLedger.release(room, claim.tick, until, told);
  }
}

async function tellRoom(
  deps: AnnouncePresencePorts,
  room: string,
  touched: TouchedUsers,
  claim: RoomClaim,
): Promise<boolean> {
  const settings = deps.settings.presence ?? PRESENCE_DEFAULTS;
  const userIds = [...touched.keys()];
  const [announced, present] = await Promise.all([
    deps.presenceLedger.announced(room, userIds),
    presenceOfAll(deps, room, touched),
  ]);
  const users: UserPresence[] = userIds.map((userId) => ({
    userId,
    present: present.get(userId),
    announced: announced.get(userId),
  }));
  const decision = decideRoom(room, claim.tick, claim.count, users, settings.rosterMax, claim.untold);
  const changed = decision.arrived.length + decision.renamed.length + decision.left.length > 0;
  if (changed) {
    await deps.presenceLedger.record(room, claim.tick, {
      joined: decision.arrived,
      renamed: decision.renamed,
      left: decision.left.map((user) => user.userId),
      count: decision.count,
    });
  }
  if (!decision.frame) return false;
  await broadcast(deps, roomChannel(room), decision.frame);
  return true;
}

/** Takes the room, waiting (for a bounded time) for other workers' claims and intervals to end. */
async function claimRoom(
  deps: Pick<AnnouncePresencePorts, 'presenceLedger' | 'clock' | 'pause' | 'settings'>,
  room: string,
  giveUpAt: number,
): Promise<RoomClaim & { at: Date }> {
  const intervalMs = (deps.settings.presence ?? PRESENCE_DEFAULTS).intervalMs;
  for (;;) {
    const now = deps.clock.now();
    const claim = await deps.presenceLedger.claim(room, now, CLAIM_HOLD_MS);
    if (claim.claimed) return { ...claim, at: now };
    // A held room is asked again every interval at most: a worker may release it well before its hold ends.
    const wait = Math.min(intervalMs, Math.max(1, claim.until.getTime() - now.getTime()));
    if (now.getTime() + wait > giveUpAt) throw new RoomBusyError(room);
    await deps.pause(wait);
  }
}

/**
 * The truth about each user: there while at least one of their connections is a member of the room's channel,
 * with the name that membership carries. A user whose joining connection is still a member is there under
 * that connection's name, read by key with the others' in one batch: a burst of arrivals reads nothing else.
 * The rest (who left, or whose joining connection has left since) have their own connections read
 * (`fanOutConcurrency` users at a time: a batch may touch a thousand), then those connections' memberships
 * by key, in batches: never the room.
 */
async function presenceOfAll(
  deps: Pick<Dependencies, 'connections' | 'subscriptions' | 'settings'>,
  room: string,
  touched: TouchedUsers,
): Promise<Map<string, ChatUser | undefined>> {
  const channel = roomChannel(room);
  const present = new Map<string, ChatUser | undefined>();
  const joiners = [...touched.values()].flat();
  const joined = joiners.length > 0 ? await deps.subscriptions.members(channel, joiners) : new Map();
  for (const [userId, joinedBy] of touched) {
    // A membership of another user (the connection was reset to a new user since) shows nothing about this one.
    const member = newest(
      joinedBy.map((connectionId) => joined.get(connectionId)),
      userId,
    );
    if (member) present.set(userId, { userId, name: member.name });
  }
  const unsure = [...touched.keys()].filter((userId) => !present.has(userId));
  if (unsure.length === 0) return present;

  const connectionsOf = new Map<string, string[]>();
  const failures: unknown[] = [];
  await forEachBounded(pageOf(unsure), deps.settings.fanOutConcurrency, async (userId) => {
    try {
      connectionsOf.set(
        userId,
        (await deps.connections.listByUser(userId)).map((connection) => connection.connectionId),
      );
    } catch (error) {
      failures.push(error);
    }
  });
  if (failures.length > 0) throw failures[0];
  const members = await deps.subscriptions.members(channel, [...connectionsOf.values()].flat());
  for (const userId of unsure) {
    const member = newest(
      (connectionsOf.get(userId) ?? []).map((connectionId) => members.get(connectionId)),
      userId,
    );
    present.set(userId, member && { userId, name: member.name });
  }
  return present;
}

/**
 * Of a user's memberships found, the newest connection's: the name the room knows the user by, as in `who`,
 * whichever way the memberships were read.
 */
function newest(found: Array<Subscriber | undefined>, userId: string): Subscriber | undefined {
  let best: Subscriber | undefined;
  for (const member of found) {
    if (member?.userId !== userId) continue;
    if (!best || member.connectedAt > best.connectedAt) best = member;
  }
  return best;
}

async function* pageOf<T>(items: T[]): AsyncIterable<T[]> {
  yield items;
}
