/**
 * Auth events selection (server-server-api.md "Auth events selection"): which state events an event
 * must cite in `auth_events`. Used both to fill `auth_events` when building an event and, by the auth
 * rules, to refuse events that cite anything else.
 */

import { isJsonObject } from "../json.js";
import {
  CREATE_KEY,
  JOIN_RULES_KEY,
  memberKey,
  type Pdu,
  POWER_LEVELS_KEY,
  thirdPartyInviteKey,
} from "../pdu.js";
import type { AuthorizationRules } from "../room-versions.js";
import type { AuthState } from "./auth-state.js";

/** The parts of an event that decide its auth events: enough to select them before the event is
 * complete. */
export type AuthEventsSubject = Pick<Pdu, "type" | "sender" | "state_key" | "content">;

/** The state map keys (`stateMapKey`) an event may cite, in the spec's order. */
export function authEventKeys(event: AuthEventsSubject, rules: AuthorizationRules): string[] {
  // "The auth_events for the m.room.create event in a room is empty."
  if (event.type === "m.room.create") return [];
  const keys: string[] = [];
  // The create event, except in v12 where the room ID names it and it "MUST NOT be selected".
  if (!rules.roomIdFromCreateEvent) keys.push(CREATE_KEY);
  keys.push(POWER_LEVELS_KEY, memberKey(event.sender));
  if (event.type === "m.room.member" && typeof event.state_key === "string") {
    const target = event.state_key;
    const membership = event.content.membership;
    if (target !== event.sender) keys.push(memberKey(target));
    if (membership === "join" || membership === "invite" || membership === "knock") keys.push(JOIN_RULES_KEY);
    if (membership === "invite") {
      const thirdPartyInvite = event.content.third_party_invite;
      const signed = isJsonObject(thirdPartyInvite) ? thirdPartyInvite.signed : undefined;
      const token = isJsonObject(signed) ? signed.token : undefined;
      if (typeof token === "string") keys.push(thirdPartyInviteKey(token));
    }
    // Restricted joins (v8+): the member event of the user who authorised the join.
    if (membership === "join" && rules.restrictedJoins) {
      const authoriser = event.content.join_authorised_via_users_server;
      if (typeof authoriser === "string") {
        const key = memberKey(authoriser);
        if (!keys.includes(key)) keys.push(key);
      }
    }
  }
  return keys;
}

/** The event IDs an event must cite as `auth_events`, taken from the room state it is sent into
 * (each "if any"). */
export function selectAuthEvents(
  event: AuthEventsSubject,
  state: AuthState,
  rules: AuthorizationRules,
): string[] {
  const ids: string[] = [];
  for (const key of authEventKeys(event, rules)) {
    const found = state.get(key);
    if (found) ids.push(found.eventId);
  }
  return ids;
}
