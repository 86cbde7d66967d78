/**
 * The rules about an event's `auth_events` list (content/rooms/v1.md rule 2 "Considering the event's
 * auth_events", v12 rule 3), and the room state those auth events form — the state of check 4 of
 * server-server-api.md "Checks performed on receipt of a PDU".
 */

import { authEventIds, CREATE_KEY, type RoomEvent, stateMapKeyOf } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import type { SignatureVerdicts } from "./auth-state.js";
import { checkAuth } from "./check-auth.js";
import { ALLOW, type AuthResult, reject } from "./result.js";
import { authEventKeys } from "./select-auth-events.js";

/**
 * Whether the auth events an event cites are acceptable. `authEvents` are the events its
 * `auth_events` name, loaded by the caller (with their `rejected` verdicts).
 */
export function checkAuthEvents(
  event: RoomEvent,
  authEvents: readonly RoomEvent[],
  version: RoomVersion,
): AuthResult {
  const pdu = event.pdu;
  if (pdu.type === "m.room.create") return ALLOW; // rule 1 decides create events on their own
  const rules = version.authorization;
  const loaded = new Set(authEvents.map((e) => e.eventId));
  for (const id of authEventIds(pdu)) {
    if (!loaded.has(id)) return reject(`auth event ${id} is not available`);
  }
  const allowedKeys = new Set(authEventKeys(pdu, rules));
  const seen = new Set<string>();
  let hasCreate = false;
  for (const authEvent of authEvents) {
    const key = stateMapKeyOf(authEvent.pdu);
    // 2.1 "If there are duplicate entries for a given type and state_key pair, reject."
    if (key !== undefined && seen.has(key))
      return reject(`auth events: duplicate ${authEvent.pdu.type} entry`);
    // 2.2 Entries must be of the (type, state_key) pairs the auth events selection names.
    if (key === undefined || !allowedKeys.has(key)) {
      return reject(
        `auth events: ${authEvent.pdu.type} ${JSON.stringify(authEvent.pdu.state_key)} is not selectable`,
      );
    }
    seen.add(key);
    // 2.3 "If there are entries which were themselves rejected …, reject."
    if (authEvent.rejected) return reject(`auth events: ${authEvent.eventId} was rejected`);
    // 2.5 "If any event in auth_events has a room_id which does not match that of the event being
    // authorised, reject."
    if (authEvent.pdu.room_id !== pdu.room_id)
      return reject(`auth events: ${authEvent.eventId} is from another room`);
    if (key === CREATE_KEY) hasCreate = true;
  }
  // 2.4 (v1–v11) "If there is no m.room.create event among the entries, reject."
  if (!rules.roomIdFromCreateEvent && !hasCreate) return reject("auth events: no m.room.create event");
  return ALLOW;
}

/** The room state formed by an event's auth events; for room version 12, pass the create event the
 * room ID names (it is not among the auth events). */
export function authStateFrom(authEvents: readonly RoomEvent[], create?: RoomEvent): Map<string, RoomEvent> {
  const state = new Map<string, RoomEvent>();
  if (create) state.set(CREATE_KEY, create);
  for (const authEvent of authEvents) {
    const key = stateMapKeyOf(authEvent.pdu);
    if (key !== undefined) state.set(key, authEvent);
  }
  return state;
}

/** Check 4 on receipt of a PDU: the `auth_events` rules, then the authorization rules against the
 * state the auth events form. */
export function checkAuthByAuthEvents(
  event: RoomEvent,
  authEvents: readonly RoomEvent[],
  version: RoomVersion,
  verdicts?: SignatureVerdicts,
  create?: RoomEvent,
): AuthResult {
  const listVerdict = checkAuthEvents(event, authEvents, version);
  if (!listVerdict.allowed) return listVerdict;
  return checkAuth(event, authStateFrom(authEvents, create), version, verdicts);
}
