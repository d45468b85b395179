/** Another presence worker kept a room claimed longer than this one waited; the room's changes come again. */
export class RoomBusyError extends Error {
  constructor(readonly room: string) {
    super(`Presence of room "${room}" is claimed by another worker.`);
    this.name = 'RoomBusyError';
  }
}
