/** The shapes state resolution works on (server-server-api.md "Room State Resolution"). */

import type { SignatureVerdicts } from "../auth/auth-state.js";
import type { RoomEvent } from "../pdu.js";

/** A room state: state map key (`stateMapKey(type, state_key)`) → event ID. */
export type StateMap = ReadonlyMap<string, string>;

/**
 * A synchronous lookup over events the caller loaded beforehand: every event of the state sets and of
 * their auth chains. An event it cannot find is left out of the algorithm (as Synapse and Ruma do).
 */
export type GetEvent = (eventId: string) => RoomEvent | undefined;

export interface ResolveOptions {
  /**
   * Signature verdicts for the auth checks the algorithm replays. By default the join-authorising
   * server's signature counts as valid (every event reaching state resolution passed that
   * state-independent rule against its own auth events), and a third-party invite's signature counts
   * as valid when the invite event consulted is the one the member event cites (which the check
   * against its auth events verified); anything else is refused unless a verdict says otherwise.
   */
  verdicts?: SignatureVerdicts;
}
