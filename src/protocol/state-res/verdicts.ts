/** Signature verdicts for the auth checks state resolution replays (see `ResolveOptions`). */

import type { SignatureVerdicts } from "../auth/auth-state.js";
import { authEventIds } from "../pdu.js";

export function stateResolutionVerdicts(given: SignatureVerdicts = {}): SignatureVerdicts {
  return {
    // State-independent, and checked when the event was authorised against its own auth events: an
    // event that failed it was rejected there, and such events never reach state resolution
    // (content/rooms/v2.md, "Rejected events").
    isSignedByServer: given.isSignedByServer ?? (() => true),
    // Verified against the invite event the member event cites; another invite event (a different
    // public key) needs the caller's verdict.
    thirdPartyInviteSignatureValid:
      given.thirdPartyInviteSignatureValid ??
      ((event, invite) => authEventIds(event.pdu).includes(invite.eventId)),
  };
}
