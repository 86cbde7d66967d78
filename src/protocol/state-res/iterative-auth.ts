/**
 * Iterative auth checks (content/rooms/v2.md, "Definitions"): apply each event of a sorted list to
 * the state if the authorization rules allow it there. "If a (event_type, state_key) key that is
 * required for checking the authorization rules is not present in the state, then the appropriate
 * state event from the event's auth_events is used if the auth event is not rejected."
 */

import type { AuthState, SignatureVerdicts } from "../auth/auth-state.js";
import { checkAuth } from "../auth/check-auth.js";
import { authEventIds, CREATE_KEY, createEventIdFromRoomId, type RoomEvent, stateMapKeyOf } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import type { GetEvent } from "./types.js";

/**
 * The auth state of one event during the checks: the resolved state so far, falling back to the
 * event's own auth events. Rejected events are never used as auth events ("Rejected auth events are
 * deliberately excluded from use in the iterative auth checks"), whichever side they come from.
 */
class LayeredAuthState implements AuthState {
  constructor(
    private readonly state: ReadonlyMap<string, string>,
    private readonly own: ReadonlyMap<string, RoomEvent>,
    private readonly getEvent: GetEvent,
  ) {}

  get(key: string): RoomEvent | undefined {
    const id = this.state.get(key);
    if (id !== undefined) {
      const event = this.getEvent(id);
      if (event && !event.rejected) return event;
    }
    return this.own.get(key);
  }
}

export function ownAuthEvents(
  event: RoomEvent,
  getEvent: GetEvent,
  version: RoomVersion,
): Map<string, RoomEvent> {
  const own = new Map<string, RoomEvent>();
  for (const id of authEventIds(event.pdu)) {
    const authEvent = getEvent(id);
    if (!authEvent || authEvent.rejected) continue;
    const key = stateMapKeyOf(authEvent.pdu);
    if (key !== undefined) own.set(key, authEvent);
  }
  // v12: the create event is not cited; the room ID names it.
  if (version.authorization.roomIdFromCreateEvent && event.pdu.room_id !== undefined) {
    const create = getEvent(createEventIdFromRoomId(event.pdu.room_id));
    if (create && !create.rejected) own.set(CREATE_KEY, create);
  }
  return own;
}

/** Applies `events` in order to `state` (mutated and returned), skipping those the rules refuse. */
export function iterativeAuthChecks(
  state: Map<string, string>,
  events: readonly RoomEvent[],
  getEvent: GetEvent,
  version: RoomVersion,
  verdicts: SignatureVerdicts,
): Map<string, string> {
  for (const event of events) {
    const key = stateMapKeyOf(event.pdu);
    if (key === undefined) continue;
    const authState = new LayeredAuthState(state, ownAuthEvents(event, getEvent, version), getEvent);
    if (checkAuth(event, authState, version, verdicts).allowed) state.set(key, event.eventId);
  }
  return state;
}
