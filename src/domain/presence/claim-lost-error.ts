/**
 * A worker tried to record a room's change after its claim ran out and another worker claimed the room: the
 * change was decided on what the room was told before the other worker's claim, so it is not recorded and
 * its changes come again.
 */
export class ClaimLostError extends Error {
  constructor(
    readonly room: string,
    readonly tick: number,
  ) {
    super(`The claim ${tick} of room "${room}" ran out before its change was recorded.`);
    this.name = 'ClaimLostError';
  }
}
