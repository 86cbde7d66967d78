/**
 * The third-party invite branch of the `m.room.member` rules (rule "If `membership` is `invite`",
 * sub-rule "If `content` has a `third_party_invite` property", identical in every room version).
 */

import { isJsonObject } from "../json.js";
import { type RoomEvent, thirdPartyInviteKey } from "../pdu.js";
import { type AuthState, membershipIn, type SignatureVerdicts } from "./auth-state.js";
import { ALLOW, type AuthResult, reject } from "./result.js";

export function checkThirdPartyInvite(
  event: RoomEvent,
  target: string,
  state: AuthState,
  verdicts: SignatureVerdicts,
): AuthResult {
  const pdu = event.pdu;
  // 1. "If target user is banned, reject."
  if (membershipIn(state, target) === "ban") return reject("third-party invite: target is banned");
  // 2. "If content.third_party_invite does not have a signed property, reject."
  const thirdPartyInvite = pdu.content.third_party_invite;
  const signed = isJsonObject(thirdPartyInvite) ? thirdPartyInvite.signed : undefined;
  if (!isJsonObject(signed)) return reject("third-party invite: no signed object");
  // 3. "If signed does not have mxid and token properties, reject."
  const { mxid, token } = signed;
  if (typeof mxid !== "string" || typeof token !== "string") {
    return reject("third-party invite: signed lacks mxid or token");
  }
  // 4. "If mxid does not match state_key, reject."
  if (mxid !== target) return reject("third-party invite: mxid does not match state_key");
  // 5. The room must hold an m.room.third_party_invite event for the token.
  const invite = state.get(thirdPartyInviteKey(token));
  if (!invite) return reject("third-party invite: no m.room.third_party_invite for the token");
  // 6. "If sender does not match sender of the m.room.third_party_invite, reject."
  if (invite.pdu.sender !== pdu.sender) {
    return reject("third-party invite: sender differs from the m.room.third_party_invite's");
  }
  // 7. A signature in `signed` must match a public key of the invite. Verifying it is asynchronous
  // crypto, so the caller has done it and passes the verdict in.
  if (verdicts.thirdPartyInviteSignatureValid?.(event, invite) === true) return ALLOW;
  // 8. "Otherwise, reject."
  return reject("third-party invite: no valid signature from the invite's public keys");
}
