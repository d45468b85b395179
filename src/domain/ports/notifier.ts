import type { ServerFrame } from '../frames';

/** `gone`: the connection no longer exists (API Gateway answered 410); its records should go. */
export type Delivery = 'sent' | 'gone';

/** Sends frames to connections. Any failure other than `gone` is thrown. */
export interface Notifier {
  send(connectionId: string, frame: ServerFrame): Promise<Delivery>;
}
