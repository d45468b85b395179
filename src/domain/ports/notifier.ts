import type { ServerFrame } from '../frames';

/** `gone`: the connection no longer exists (API Gateway answered 410); its records should go. */
export type Delivery = 'sent' | 'gone';

/** Sends frames to connections, and closes them. Any failure other than `gone` is thrown. */
export interface Notifier {
  send(connectionId: string, frame: ServerFrame): Promise<Delivery>;
  /** Closes a connection from the server's side (its `$disconnect` follows); one already gone is no error. */
  close(connectionId: string): Promise<void>;
}
