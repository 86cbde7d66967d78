/**
 * The room state the auth rules look at, and the verdicts of the asynchronous checks they depend on.
 *
 * The rules are synchronous over data loaded beforehand: the state is any map-like lookup from state
 * map key (`stateMapKey(type, state_key)`) to event, so a `Map` works, and so does a layered view
 * (state resolution's partial state over an event's own auth events) without copying.
 */

import {
  CREATE_KEY,
  JOIN_RULES_KEY,
  memberKey,
  membershipOf,
  POWER_LEVELS_KEY,
  type RoomEvent,
} from "../pdu.js";
import { type PowerLevels, powerLevelsFrom } from "../power-levels.js";
import type { AuthorizationRules } from "../room-versions.js";

export interface AuthState {
  get(key: string): RoomEvent | undefined;
}

/**
 * Verdicts of signature checks, which are asynchronous (WebCrypto) and so are made by the caller
 * before the rules run. A missing verdict counts as "not validly signed": the rules fail closed.
 */
export interface SignatureVerdicts {
  /** Rooms with restricted joins, rule "If `content` has a `join_authorised_via_users_server` key":
   * whether `event` is validly signed by the homeserver `serverName`. */
  isSignedByServer?(event: RoomEvent, serverName: string): boolean;
  /** Third-party invites, rule "If any signature in `signed` matches any public key in the
   * `m.room.third_party_invite` event": whether `event`'s `content.third_party_invite.signed`
   * verifies against a public key of `invite`. */
  thirdPartyInviteSignatureValid?(event: RoomEvent, invite: RoomEvent): boolean;
}

/** A user's current membership; no member event means `leave` (the user was never in the room). */
export function membershipIn(state: AuthState, userId: string): string {
  const member = state.get(memberKey(userId));
  return (member && membershipOf(member.pdu)) ?? "leave";
}

/** The current join rule. Without an `m.room.join_rules` event (or `join_rule` in it) the room is
 * treated as invite-only, as Synapse and Ruma do: the spec's rules only open a room for an explicit
 * `public`, `knock`, `restricted` or `knock_restricted` rule. */
export function joinRuleIn(state: AuthState): string {
  const rule = state.get(JOIN_RULES_KEY)?.pdu.content.join_rule;
  return typeof rule === "string" ? rule : "invite";
}

export function powerLevelsIn(state: AuthState, rules: AuthorizationRules): PowerLevels {
  return powerLevelsFrom(state.get(POWER_LEVELS_KEY)?.pdu, state.get(CREATE_KEY)?.pdu, rules);
}
