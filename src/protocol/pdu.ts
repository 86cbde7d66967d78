/**
 * The persistent data unit (PDU): a room event as it travels between servers and as it is stored
 * (spec: content/server-server-api.md "PDUs"; formats per room version in content/rooms/v*.md
 * "Event format").
 *
 * A `Pdu` is exactly the signed JSON object, so it can be hashed, signed and redacted as is. Its event
 * ID is carried alongside in `RoomEvent`: in room versions 1 and 2 the ID is the `event_id` field
 * chosen by the origin; from version 3 it is derived from the reference hash and is not part of the
 * object (content/rooms/fragments/v4-event-ids.md).
 */

import type { JsonObject } from "./json.js";

/** A reference to another event. Room versions 1 and 2 cite `[event_id, {"sha256": hash}]` pairs;
 * later versions cite bare event IDs (content/rooms/fragments/v4-event-format.md). */
export type EventReference = string | [string, JsonObject];

/** Other top-level keys an event may carry travel along untyped; a `Pdu` is assignable to
 * `JsonObject`, so it goes straight into hashing, signing and redaction. */
export type Pdu = {
  /** Absent only on the `m.room.create` event of a room version 12 room, whose ID is the room ID
   * (content/rooms/v12.md, MSC4291). */
  room_id?: string;
  sender: string;
  type: string;
  /** Present (possibly "") on state events, absent on message events. */
  state_key?: string;
  content: JsonObject;
  prev_events: EventReference[];
  auth_events: EventReference[];
  depth: number;
  origin_server_ts: number;
  hashes: { sha256: string; [algorithm: string]: string };
  signatures: { [server: string]: { [keyId: string]: string } };
  unsigned?: JsonObject;
  /** Top-level in room versions 1–10; a content property from version 11 (`redactsInContent`). */
  redacts?: string;
  /** Only in room versions 1 and 2 (`eventIdFormat: "v1"`). */
  event_id?: string;
  /** Older servers send it; no rule reads it. */
  origin?: string;
};

/**
 * An event with its ID attached, as the rest of the server passes it around.
 *
 * `rejected` records this server's verdict from the checks on receipt (server-server-api.md
 * "Rejection"): the auth rules refuse rejected auth events, and state resolution does not use them as
 * auth events. Absent means accepted.
 */
export interface RoomEvent {
  readonly eventId: string;
  readonly pdu: Pdu;
  readonly rejected?: boolean;
}

/** The event IDs of a list of references, whatever the format. Bare-ID lists (v3+) come back as
 * they are, without copying: this runs for every edge of every auth chain walk. */
export function referencedIds(refs: readonly EventReference[]): readonly string[] {
  let allIds = true;
  for (let i = 0; i < refs.length; i++) {
    if (typeof refs[i] !== "string") {
      allIds = false;
      break;
    }
  }
  if (allIds) return refs as readonly string[];
  return refs.map((ref) => (typeof ref === "string" ? ref : ref[0]));
}

export function authEventIds(pdu: Pdu): readonly string[] {
  return referencedIds(pdu.auth_events);
}

export function prevEventIds(pdu: Pdu): readonly string[] {
  return referencedIds(pdu.prev_events);
}

export function isStateEvent(pdu: Pdu): boolean {
  return typeof pdu.state_key === "string";
}

/** The `membership` of an `m.room.member` event's content, if it is a string. */
export function membershipOf(pdu: Pdu): string | undefined {
  const membership = pdu.content.membership;
  return typeof membership === "string" ? membership : undefined;
}

/** The event a redaction redacts: a content property from room version 11 (`redactsInContent`),
 * top-level before. */
export function redactsOf(pdu: Pdu, redactsInContent: boolean): string | undefined {
  const redacts = redactsInContent ? pdu.content.redacts : pdu.redacts;
  return typeof redacts === "string" ? redacts : undefined;
}

/**
 * The key of a state map entry for `(event_type, state_key)`.
 *
 * The type's length prefixes it, so the mapping is injective for any strings (a plain separator
 * would let an event type containing the separator collide with another pair).
 */
export function stateMapKey(type: string, key: string): string {
  return `${type.length}:${type}${key}`;
}

/** The inverse of `stateKey`. */
export function parseStateMapKey(key: string): { type: string; stateKey: string } {
  const colon = key.indexOf(":");
  const length = Number(key.slice(0, colon));
  const type = key.slice(colon + 1, colon + 1 + length);
  return { type, stateKey: key.slice(colon + 1 + length) };
}

/** The state map key of a state event, or undefined for a message event. */
export function stateMapKeyOf(pdu: Pdu): string | undefined {
  return typeof pdu.state_key === "string" ? stateMapKey(pdu.type, pdu.state_key) : undefined;
}

/** Keys the auth rules look up, precomputed. */
export const CREATE_KEY = stateMapKey("m.room.create", "");
export const POWER_LEVELS_KEY = stateMapKey("m.room.power_levels", "");
export const JOIN_RULES_KEY = stateMapKey("m.room.join_rules", "");

export function memberKey(userId: string): string {
  return stateMapKey("m.room.member", userId);
}

export function thirdPartyInviteKey(token: string): string {
  return stateMapKey("m.room.third_party_invite", token);
}

/**
 * The ID of the create event of a room version 12 room: the room ID with the sigil `$` instead of `!`
 * (content/rooms/v12.md, authorization rule 2).
 */
export function createEventIdFromRoomId(roomId: string): string {
  return `$${roomId.slice(1)}`;
}
