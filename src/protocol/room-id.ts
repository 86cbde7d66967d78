/**
 * Room IDs (spec: content/appendices.md "Room IDs"; content/rooms/v12.md "Event format").
 *
 * Before room version 12: `!opaque_id:domain`, where the localpart "SHOULD only consist of
 * alphanumeric characters (A-Z, a-z, 0-9) when generating them". From 12: "room IDs are simply the
 * event ID of the m.room.create event using ! as the sigil instead of $".
 */

import { computeEventId } from "./event-id.js";
import type { JsonObject } from "./json.js";
import { type RandomBytes, randomAlphanumeric, webRandomBytes } from "./random.js";
import type { RoomVersion } from "./room-versions.js";

/** A fresh `!<18 alphanumerics>:<serverName>` room ID for room versions before 12. */
export function generateRoomId(serverName: string, random: RandomBytes = webRandomBytes): string {
  return `!${randomAlphanumeric(18, random)}:${serverName}`;
}

/**
 * The room ID a v12 `m.room.create` event defines: its event ID with `!` for `$`. The create event has
 * no `room_id` of its own. Throws for room versions whose room IDs are not derived.
 */
export async function computeRoomIdFromCreateEvent(
  createEvent: JsonObject,
  version: RoomVersion,
): Promise<string> {
  if (!version.authorization.roomIdFromCreateEvent) {
    throw new TypeError(`room version ${version.id} does not derive room IDs from the create event`);
  }
  if (createEvent.type !== "m.room.create") throw new TypeError("not an m.room.create event");
  const eventId = await computeEventId(createEvent, version);
  return `!${eventId.slice(1)}`;
}
