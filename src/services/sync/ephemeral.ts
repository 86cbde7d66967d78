/** The `ephemeral` section of a joined room in /sync: typing and receipts (spec: client-server-api
 * "Syncing", the room filter's `ephemeral` RoomEventFilter). */
import type { JsonObject } from "../../protocol/json.js";
import { matchesFilter } from "../rooms/room-reader.js";
import { joinedRoom, type SyncResponse } from "./sync-response.js";
import type { SyncRequest } from "./sync-source.js";

/** Whether the client's filter lets ephemeral events of this type through for this room. */
export function wantsEphemeral(request: SyncRequest, roomId: string, type: string): boolean {
  const filter = request.filter.room?.ephemeral;
  if (!filter) return true;
  if (filter.rooms && !filter.rooms.includes(roomId)) return false;
  if (filter.not_rooms?.includes(roomId)) return false;
  return matchesFilter({ type, sender: "" }, { ...filter, senders: undefined, not_senders: undefined });
}

export function addEphemeral(response: SyncResponse, roomId: string, event: JsonObject): void {
  const room = joinedRoom(response, roomId);
  room.ephemeral ??= { events: [] };
  room.ephemeral.events.push(event);
}
