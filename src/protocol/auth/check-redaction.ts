/**
 * The `m.room.redaction` rule of room versions 1 and 2 (content/rooms/v1.md rule 11). From version 3
 * redactions pass the auth rules like any event and the redact level is checked when the redaction is
 * applied instead (content/rooms/fragments/v3-handling-redactions.md).
 */

import { type RoomEvent, redactsOf } from "../pdu.js";
import { userLevel } from "../power-levels.js";
import type { AuthorizationRules } from "../room-versions.js";
import { type AuthState, powerLevelsIn } from "./auth-state.js";
import { domainOf } from "./ids.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

export function checkRedactionDomain(
  event: RoomEvent,
  state: AuthState,
  rules: AuthorizationRules,
): AuthResult {
  // 1. "If the sender's power level is greater than or equal to the redact level, allow."
  const pl = powerLevelsIn(state, rules);
  if (userLevel(pl, event.pdu.sender) >= pl.levels.redact) return ALLOW;
  // 2. "If the domain of the event_id of the event being redacted is the same as the domain of the
  // event_id of the m.room.redaction, allow." (v1/v2 event IDs are `$opaque:domain`.)
  const redacts = redactsOf(event.pdu, rules.redactsInContent);
  const redactedDomain = redacts === undefined ? undefined : domainOf(redacts);
  if (redactedDomain !== undefined && redactedDomain === domainOf(event.eventId)) return ALLOW;
  // 3. "Otherwise, reject."
  return reject("m.room.redaction: below the redact level and redacting another server's event");
}
