/**
 * The authorization rules of every room version (content/rooms/v1.md … v12.md "Authorization rules"),
 * checked against a given room state — the state before the event, the current state, or the state
 * formed by the event's own auth events (server-server-api.md "Checks performed on receipt of a PDU",
 * checks 4–6). The rules about the `auth_events` list itself are in `check-auth-events.ts`.
 *
 * Each step names the rule it implements with the v12 numbering where the versions agree; the switches
 * of `AuthorizationRules` select what differs.
 */

import { CREATE_KEY, type RoomEvent } from "../pdu.js";
import { eventLevel, userLevel } from "../power-levels.js";
import type { RoomVersion } from "../room-versions.js";
import { type AuthState, membershipIn, powerLevelsIn, type SignatureVerdicts } from "./auth-state.js";
import { checkCreate } from "./check-create.js";
import { checkMember } from "./check-member.js";
import { checkPowerLevels } from "./check-power-levels.js";
import { checkRedactionDomain } from "./check-redaction.js";
import { domainOf } from "./ids.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

const NO_VERDICTS: SignatureVerdicts = Object.freeze({});

/**
 * Whether `event` is allowed in room `state` under the rules of `version`.
 *
 * For room version 12 rooms the state must hold the create event (it is not among the auth events,
 * the room ID names it): look it up from `room_id` and include it.
 */
export function checkAuth(
  event: RoomEvent,
  state: AuthState,
  version: RoomVersion,
  verdicts: SignatureVerdicts = NO_VERDICTS,
): AuthResult {
  const pdu = event.pdu;
  const rules = version.authorization;

  // 1. m.room.create.
  if (pdu.type === "m.room.create") return checkCreate(pdu, version);

  const create = state.get(CREATE_KEY);
  if (!create) return reject("no m.room.create event in the room state");
  if (rules.roomIdFromCreateEvent) {
    // v12 2. "If the event's room_id is not an event ID for an accepted (not rejected) m.room.create
    // event, with the sigil ! instead of $, reject."
    const roomId = pdu.room_id;
    if (roomId === undefined || roomId !== `!${create.eventId.slice(1)}`) {
      return reject("room_id is not the ID of the room's m.room.create event");
    }
    if (create.rejected) return reject("the room's m.room.create event was rejected");
  }

  // v12 4 (v1 3). Rooms created with "m.federate": false admit only the creating server's users.
  if (create.pdu.content["m.federate"] === false && domainOf(pdu.sender) !== domainOf(create.pdu.sender)) {
    return reject("the room does not federate and the sender is from another server");
  }

  // v1–v5 4. m.room.aliases: the state key is the sender's server (removed in v6).
  if (rules.specialCaseAliasesEvents && pdu.type === "m.room.aliases") {
    if (pdu.state_key === undefined) return reject("m.room.aliases: no state_key");
    if (pdu.state_key !== domainOf(pdu.sender))
      return reject("m.room.aliases: state_key is not the sender's server");
    return ALLOW;
  }

  // v12 5. m.room.member.
  if (pdu.type === "m.room.member") return checkMember(event, state, rules, verdicts);

  // v12 6. "If the sender's current membership state is not join, reject."
  const sender = pdu.sender;
  if (membershipIn(state, sender) !== "join") return reject("sender is not joined to the room");

  const pl = powerLevelsIn(state, rules);
  const senderLevel = userLevel(pl, sender);
  // v12 7. m.room.third_party_invite: "Allow if and only if sender's current power level is greater
  // than or equal to the invite level."
  if (pdu.type === "m.room.third_party_invite") {
    return senderLevel >= pl.levels.invite
      ? ALLOW
      : reject("m.room.third_party_invite: below the invite level");
  }

  // v12 8. "If the event type's required power level is greater than the sender's power level,
  // reject."
  const isState = pdu.state_key !== undefined;
  if (eventLevel(pl, pdu.type, isState) > senderLevel) {
    return reject(`${pdu.type}: sender's power level is below the required level`);
  }

  // v12 9. "If the event has a state_key that starts with an @ and does not match the sender, reject."
  if (isState && pdu.state_key!.startsWith("@") && pdu.state_key !== sender) {
    return reject("state_key starts with @ and is not the sender");
  }

  // v12 10. m.room.power_levels.
  if (pdu.type === "m.room.power_levels") return checkPowerLevels(event, state, rules);

  // v1–v2 11. m.room.redaction: the redact level or the same server (moved out of the auth rules in v3).
  if (rules.redactionDomainCheckAtAuth && pdu.type === "m.room.redaction") {
    return checkRedactionDomain(event, state, rules);
  }

  // "Otherwise, allow."
  return ALLOW;
}
