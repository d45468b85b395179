import type { ServerFrame } from '../frames';

/**
 * The frame as one receiver gets it. A presence frame never lists the receiver's own user (its own tabs
 * arriving or leaving are no news to it); a frame whose joins and leaves were all the receiver's own is not
 * sent to it at all (`undefined`). Every other frame goes as it is.
 */
export function frameForRecipient(frame: ServerFrame, receiver: { userId: string }): ServerFrame | undefined {
  if (frame.type !== 'presence' || (frame.joined === undefined && frame.left === undefined)) return frame;
  const others = (users: typeof frame.joined) => users?.filter((user) => user.userId !== receiver.userId) ?? [];
  const joined = others(frame.joined);
  const left = others(frame.left);
  if (joined.length === 0 && left.length === 0) return undefined;
  if (joined.length === (frame.joined?.length ?? 0) && left.length === (frame.left?.length ?? 0)) return frame;
  const { joined: _joined, left: _left, ...rest } = frame;
  return { ...rest, ...(joined.length > 0 ? { joined } : {}), ...(left.length > 0 ? { left } : {}) };
}
