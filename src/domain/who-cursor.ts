import { InvalidFrameError } from './errors';
import type { Channel } from './model';

const VERSION = 'v1';
// API Gateway's connection ids (`Gg3GqdpYIAMCJOg=`), and nothing that could name another kind of record.
const CONNECTION_ID = /^[A-Za-z0-9_+/=-]{1,128}$/;

/**
 * A `who` cursor: `v1.{room}.{connectionId}`, the room's member list continues after that connection.
 * It is a position, not a permission, so it is validated rather than signed: it names its room, a cursor
 * of another room or version or with anything but a connection id is `invalid_frame`, and the storage
 * reads only the requested room with it. A cursor whose connection has left since still continues from
 * its place. Send it back as it came; its form may change with its version.
 */
export function encodeWhoCursor(room: Channel, connectionId: string): string {
  return `${VERSION}.${room}.${connectionId}`;
}

/** The connection a cursor continues after; `invalid_frame` for a cursor not made by `encodeWhoCursor` for `room`. */
export function decodeWhoCursor(cursor: string, room: Channel): string {
  const prefix = `${VERSION}.${room}.`;
  const connectionId = cursor.startsWith(prefix) ? cursor.slice(prefix.length) : '';
  if (!CONNECTION_ID.test(connectionId))
    throw new InvalidFrameError(
      '"cursor" is not a cursor of this room: send the one the last "who" reply gave, or none.',
    );
  return connectionId;
}
