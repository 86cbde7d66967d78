/**
 * The `m.room.member` rules (content/rooms/v1.md rule 5, v3–v6 rule 4, v7–v11 rule 4, v12 rule 5).
 *
 * Differences between versions are switches of `AuthorizationRules`: `knocking` (v7: knock
 * membership, `knock` join rule, leaving a knock), `restrictedJoins` (v8: `restricted` join rule and
 * `join_authorised_via_users_server`), `knockRestrictedJoinRule` (v10), `creatorInContent` (v11 takes
 * the creator from the create event's sender).
 */

import { CREATE_KEY, prevEventIds, type RoomEvent } from "../pdu.js";
import { userLevel } from "../power-levels.js";
import type { AuthorizationRules } from "../room-versions.js";
import {
  type AuthState,
  joinRuleIn,
  membershipIn,
  powerLevelsIn,
  type SignatureVerdicts,
} from "./auth-state.js";
import { checkThirdPartyInvite } from "./check-third-party-invite.js";
import { domainOf } from "./ids.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

export function checkMember(
  event: RoomEvent,
  state: AuthState,
  rules: AuthorizationRules,
  verdicts: SignatureVerdicts,
): AuthResult {
  const pdu = event.pdu;
  // "If there is no state_key property, or no membership property in content, reject."
  const target = pdu.state_key;
  const membership = pdu.content.membership;
  if (typeof target !== "string") return reject("m.room.member: no state_key");
  if (typeof membership !== "string") return reject("m.room.member: no membership in content");

  // v8+: "If content has a join_authorised_via_users_server key: If the event is not validly signed
  // by the homeserver of the user ID denoted by the key, reject."
  if (rules.restrictedJoins && Object.hasOwn(pdu.content, "join_authorised_via_users_server")) {
    const authoriser = pdu.content.join_authorised_via_users_server;
    const server = typeof authoriser === "string" ? domainOf(authoriser) : undefined;
    if (server === undefined || verdicts.isSignedByServer?.(event, server) !== true) {
      return reject("m.room.member: not signed by the server of join_authorised_via_users_server");
    }
  }

  switch (membership) {
    case "join":
      return checkJoin(event, target, state, rules);
    case "invite":
      if (Object.hasOwn(pdu.content, "third_party_invite")) {
        return checkThirdPartyInvite(event, target, state, verdicts);
      }
      return checkInvite(event, target, state, rules);
    case "leave":
      return checkLeave(event, target, state, rules);
    case "ban":
      return checkBan(event, target, state, rules);
    case "knock":
      // v7 added knocking; before, knock is an unknown membership.
      if (rules.knocking) return checkKnock(event, target, state, rules);
      break;
  }
  // "Otherwise, the membership is unknown. Reject."
  return reject(`m.room.member: unknown membership ${JSON.stringify(membership)}`);
}

function checkJoin(
  event: RoomEvent,
  target: string,
  state: AuthState,
  rules: AuthorizationRules,
): AuthResult {
  const pdu = event.pdu;
  // 1. "If the only previous event is an m.room.create and the state_key is the creator, allow."
  // The creator is `content.creator` (v1–v10) or the create event's sender (v11+); in v12 this is
  // the sender only, not the additional creators.
  const create = state.get(CREATE_KEY);
  if (create && pdu.prev_events.length === 1 && prevEventIds(pdu)[0] === create.eventId) {
    const creator = rules.creatorInContent ? create.pdu.content.creator : create.pdu.sender;
    if (creator === target) return ALLOW;
  }
  // 2. "If the sender does not match state_key, reject."
  if (pdu.sender !== target) return reject("join: sender does not match state_key");
  // 3. "If the sender is banned, reject."
  const current = membershipIn(state, target);
  if (current === "ban") return reject("join: sender is banned");
  const joinRule = joinRuleIn(state);
  // 4. "If the join_rule is invite (or knock, v7+) then allow if membership state is invite or join."
  if (joinRule === "invite" || (rules.knocking && joinRule === "knock")) {
    return current === "invite" || current === "join" ? ALLOW : reject("join: not invited");
  }
  // 5. v8+ restricted, v10+ knock_restricted.
  if (
    (rules.restrictedJoins && joinRule === "restricted") ||
    (rules.knockRestrictedJoinRule && joinRule === "knock_restricted")
  ) {
    // 5.1 "If membership state is join or invite, allow."
    if (current === "invite" || current === "join") return ALLOW;
    // 5.2 The authorising user must be a joined member able to invite.
    const authoriser = pdu.content.join_authorised_via_users_server;
    if (typeof authoriser !== "string") return reject("join: restricted room and no authorising user");
    if (membershipIn(state, authoriser) !== "join") return reject("join: authorising user is not joined");
    const pl = powerLevelsIn(state, rules);
    if (userLevel(pl, authoriser) < pl.levels.invite) return reject("join: authorising user cannot invite");
    // 5.3 "Otherwise, allow."
    return ALLOW;
  }
  // 6. "If the join_rule is public, allow."
  if (joinRule === "public") return ALLOW;
  // 7. "Otherwise, reject."
  return reject(`join: join rule ${JSON.stringify(joinRule)} does not admit the sender`);
}

function checkInvite(
  event: RoomEvent,
  target: string,
  state: AuthState,
  rules: AuthorizationRules,
): AuthResult {
  const sender = event.pdu.sender;
  // 2. "If the sender's current membership state is not join, reject."
  if (membershipIn(state, sender) !== "join") return reject("invite: sender is not joined");
  // 3. "If target user's current membership state is join or ban, reject."
  const targetMembership = membershipIn(state, target);
  if (targetMembership === "join") return reject("invite: target is already joined");
  if (targetMembership === "ban") return reject("invite: target is banned");
  // 4. "If the sender's power level is greater than or equal to the invite level, allow."
  const pl = powerLevelsIn(state, rules);
  if (userLevel(pl, sender) >= pl.levels.invite) return ALLOW;
  // 5. "Otherwise, reject."
  return reject("invite: sender's power level is below the invite level");
}

function checkLeave(
  event: RoomEvent,
  target: string,
  state: AuthState,
  rules: AuthorizationRules,
): AuthResult {
  const sender = event.pdu.sender;
  // 1. Leaving oneself: allowed from invite or join (rejecting an invite, leaving), and from knock in
  // v7+ (rescinding a knock).
  if (sender === target) {
    const current = membershipIn(state, sender);
    const allowed = current === "invite" || current === "join" || (rules.knocking && current === "knock");
    return allowed ? ALLOW : reject(`leave: cannot leave from membership ${current}`);
  }
  // 2. "If the sender's current membership state is not join, reject."
  if (membershipIn(state, sender) !== "join") return reject("kick: sender is not joined");
  const pl = powerLevelsIn(state, rules);
  const senderLevel = userLevel(pl, sender);
  // 3. Unbanning needs the ban level.
  if (membershipIn(state, target) === "ban" && senderLevel < pl.levels.ban) {
    return reject("unban: sender's power level is below the ban level");
  }
  // 4. "If the sender's power level is greater than or equal to the kick level, and the target
  // user's power level is less than the sender's power level, allow."
  if (senderLevel >= pl.levels.kick && userLevel(pl, target) < senderLevel) return ALLOW;
  // 5. "Otherwise, reject."
  return reject("kick: sender needs the kick level and more power than the target");
}

function checkBan(event: RoomEvent, target: string, state: AuthState, rules: AuthorizationRules): AuthResult {
  const sender = event.pdu.sender;
  // 1. "If the sender's current membership state is not join, reject."
  if (membershipIn(state, sender) !== "join") return reject("ban: sender is not joined");
  // 2. "If the sender's power level is greater than or equal to the ban level, and the target user's
  // power level is less than the sender's power level, allow."
  const pl = powerLevelsIn(state, rules);
  const senderLevel = userLevel(pl, sender);
  if (senderLevel >= pl.levels.ban && userLevel(pl, target) < senderLevel) return ALLOW;
  // 3. "Otherwise, reject."
  return reject("ban: sender needs the ban level and more power than the target");
}

function checkKnock(
  event: RoomEvent,
  target: string,
  state: AuthState,
  rules: AuthorizationRules,
): AuthResult {
  const sender = event.pdu.sender;
  // 1. The join rule must be knock (v7+) or knock_restricted (v10+).
  const joinRule = joinRuleIn(state);
  if (!(joinRule === "knock" || (rules.knockRestrictedJoinRule && joinRule === "knock_restricted"))) {
    return reject(`knock: join rule ${JSON.stringify(joinRule)} does not allow knocking`);
  }
  // 2. "If sender does not match state_key, reject."
  if (sender !== target) return reject("knock: sender does not match state_key");
  // 3. "If the sender's current membership is not ban, invite, or join, allow."
  const current = membershipIn(state, sender);
  if (current !== "ban" && current !== "invite" && current !== "join") return ALLOW;
  // 4. "Otherwise, reject."
  return reject(`knock: cannot knock from membership ${current}`);
}
