/** Room versions never change, so each room's is read from the store once per process. */
import type { RoomRepository } from "../../ports/store/rooms.js";
import { getRoomVersion, type RoomVersion } from "../../protocol/room-versions.js";
import { MatrixError, notFound } from "../errors.js";

export class RoomVersionCache {
  private readonly versions = new Map<string, RoomVersion>();

  constructor(private readonly rooms: RoomRepository) {}

  /** The room's version; 404 M_NOT_FOUND for a room this server does not know. */
  async get(roomId: string): Promise<RoomVersion> {
    const cached = this.versions.get(roomId);
    if (cached) return cached;
    const room = await this.rooms.getRoom(roomId);
    if (!room) throw notFound("Unknown room");
    const version = getRoomVersion(room.version);
    if (!version) throw new MatrixError(500, "M_UNKNOWN", `Room version ${room.version} is not supported`);
    this.versions.set(roomId, version);
    return version;
  }
}
