import { isValidRoomName, ROOM_RULE } from '../../domain/limits';
import { integer, looseObject, object, optional, present, refine, string, text, wholeNumber } from '../../validation';

/** Frame shapes. Domain rules (topic pattern, text and size limits) are checked by the domain. */
const id = optional(text(1, 128));
/**
 * Checked here, not only by the domain: a frame's room picks the budget it draws from, so a frame with a
 * bad room must be refused before it draws.
 */
const room = string().check(refine(isValidRoomName, { message: `must be ${ROOM_RULE}` }));

export const frames = {
  empty: object({}),
  loose: looseObject({}),
  subscribe: object({ topic: string(), since: optional(wholeNumber(0)) }),
  unsubscribe: object({ topic: string() }),
  publish: object({ topic: string(), message: present, id }),
  // `name` is checked by the domain, which says what a display name may be.
  join: object({ room, name: optional(string()) }),
  leave: object({ room }),
  chat: object({ message: string(), id, room: optional(room) }),
  // `limit` is range-checked by the domain, which names the allowed range.
  history: object({ limit: optional(integer()), before: optional(wholeNumber(1)), room: optional(room) }),
  // `cursor` is checked by the domain, which knows what a cursor of the room looks like.
  who: object({ cursor: optional(string()), room: optional(room) }),
  // `cursor`: the position after the last character the client holds; one beyond the saved cursor is ignored.
  teleread: object({ cursor: optional(wholeNumber(0)) }),
};
