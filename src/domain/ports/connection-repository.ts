import type { Channel, Connection } from '../model';

/** What was removed with a connection, so that the caller can announce a leave exactly once. */
export interface RemovedConnection {
  connection: Connection;
  channels: Channel[];
}

/** Stores open connections. Every lookup is by key: one connection, or the connections of one user. */
export interface ConnectionRepository {
  /**
   * Records a connection that has just opened, under its id and under its user, with its membership of
   * `channels` (uncapped ones only, such as the default room: nothing is counted against its caps).
   */
  register(connection: Connection, channels?: Channel[]): Promise<void>;
  get(connectionId: string): Promise<Connection | undefined>;
  /** The open connections of one user (several tabs or devices). */
  listByUser(userId: string): Promise<Connection[]>;
  /**
   * Removes every record of the connection (itself, its user link, its subscriptions). Idempotent: only
   * the call that actually removed it gets the removed records back; later calls get `undefined`.
   */
  remove(connectionId: string): Promise<RemovedConnection | undefined>;
  /**
   * Moves a connection to another user (after `reset`), keeping its subscriptions (now under the new user
   * and name). Returns the channels it is subscribed to; `undefined`, and nothing moved, when the connection
   * is gone (closed meanwhile) or no longer belongs to `previousUserId`.
   */
  reassign(connection: Connection, previousUserId: string): Promise<Channel[] | undefined>;
}
