/**
 * Rule 1 of every room version's authorization rules: `m.room.create` (content/rooms/v1.md … v12.md).
 * It depends on no room state: the create event starts the room.
 */

import type { Pdu } from "../pdu.js";
import { getRoomVersion, type RoomVersion } from "../room-versions.js";
import { domainOf, isValidUserIdForAuth } from "./ids.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

export function checkCreate(pdu: Pdu, version: RoomVersion): AuthResult {
  const rules = version.authorization;
  // 1.1 "If it has any prev_events, reject."
  if (pdu.prev_events.length > 0) return reject("m.room.create: has prev_events");
  if (rules.roomIdFromCreateEvent) {
    // v12 1.2: the room ID is derived from the create event's ID, so the event carries none.
    if (pdu.room_id !== undefined) return reject("m.room.create: has a room_id");
  } else {
    // v1–v11 1.2: the room belongs to the server that created it.
    const roomDomain = pdu.room_id === undefined ? undefined : domainOf(pdu.room_id);
    if (roomDomain === undefined || roomDomain !== domainOf(pdu.sender)) {
      return reject("m.room.create: room_id domain does not match the sender's");
    }
  }
  // 1.3 "If content.room_version is present and is not a recognised version, reject."
  if (Object.hasOwn(pdu.content, "room_version")) {
    const roomVersion = pdu.content.room_version;
    if (typeof roomVersion !== "string" || getRoomVersion(roomVersion) === undefined) {
      return reject("m.room.create: unrecognised room_version");
    }
  }
  // v1–v10 1.4 "If content has no creator property, reject." (v11 uses the sender instead.)
  if (rules.creatorInContent && !Object.hasOwn(pdu.content, "creator")) {
    return reject("m.room.create: no creator in content");
  }
  // v12 1.4: additional_creators must pass the validation applied to `sender` (MSC4289).
  if (rules.creatorsHaveInfinitePower && Object.hasOwn(pdu.content, "additional_creators")) {
    const additional = pdu.content.additional_creators;
    if (
      !Array.isArray(additional) ||
      !additional.every((u) => typeof u === "string" && isValidUserIdForAuth(u))
    ) {
      return reject("m.room.create: additional_creators is not an array of user IDs");
    }
  }
  return ALLOW;
}
