/**
 * State resolution for room version 1 (content/rooms/v1.md "State resolution").
 *
 * R starts as the union of the state sets without the conflicting keys. Conflicts are then resolved
 * in passes — power levels, join rules, membership — each by ascending depth and descending
 * sha1(event_id), taking events while the auth rules allow them in R; any other conflict takes the
 * deepest event (lowest sha1 among equals) that passes auth in R.
 *
 * Where the spec's prose is open, this follows Synapse, which defined the algorithm: each key is
 * resolved on its own within a pass, against R as it stood at the start of the pass (so the result
 * does not depend on the order keys are visited); if no event of an ordinary conflict passes, the
 * shallowest one is kept.
 */

import type { AuthState, SignatureVerdicts } from "../auth/auth-state.js";
import { checkAuth } from "../auth/check-auth.js";
import { parseStateMapKey, type RoomEvent } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import { separateV1 } from "./conflicts.js";
import { sha1Hex } from "./sha1.js";
import type { GetEvent, StateMap } from "./types.js";

/** R with one key overridden by the candidate under consideration. */
class CandidateState implements AuthState {
  constructor(
    private readonly state: ReadonlyMap<string, string>,
    private readonly getEvent: GetEvent,
    private readonly key?: string,
    private readonly candidate?: RoomEvent,
  ) {}

  get(key: string): RoomEvent | undefined {
    if (key === this.key) return this.candidate;
    const id = this.state.get(key);
    return id === undefined ? undefined : this.getEvent(id);
  }
}

/** Ascending depth, then descending sha1(event_id). */
function authPassOrder(events: RoomEvent[]): RoomEvent[] {
  const keyed = events.map((event) => ({ event, hash: sha1Hex(event.eventId) }));
  keyed.sort(
    (a, b) => a.event.pdu.depth - b.event.pdu.depth || (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0),
  );
  return keyed.map((k) => k.event);
}

export function resolveV1(
  version: RoomVersion,
  stateSets: readonly StateMap[],
  getEvent: GetEvent,
  verdicts: SignatureVerdicts,
): Map<string, string> {
  const { unconflicted, conflicted } = separateV1(stateSets);
  if (conflicted.size === 0) return unconflicted;
  const resolved = new Map(unconflicted);

  const loaded = new Map<string, RoomEvent[]>();
  for (const [key, ids] of conflicted) {
    const events = [...ids].map(getEvent).filter((e): e is RoomEvent => e !== undefined);
    if (events.length > 0) loaded.set(key, events);
  }
  const typeOf = (key: string) => parseStateMapKey(key).type;

  const authPass = (type: string) => {
    const snapshot = new Map(resolved);
    for (const [key, events] of loaded) {
      if (typeOf(key) !== type) continue;
      const [first, ...rest] = authPassOrder(events);
      let current = first!;
      for (const event of rest) {
        const state = new CandidateState(snapshot, getEvent, key, current);
        if (!checkAuth(event, state, version, verdicts).allowed) break;
        current = event;
      }
      resolved.set(key, current.eventId);
    }
  };
  authPass("m.room.power_levels");
  authPass("m.room.join_rules");
  authPass("m.room.member");

  // Every other conflict: the deepest event (lowest sha1 among equal depths) that passes in R.
  const snapshot = new Map(resolved);
  const state = new CandidateState(snapshot, getEvent);
  for (const [key, events] of loaded) {
    if (isAuthPassType(typeOf(key))) continue;
    const ordered = authPassOrder(events).reverse();
    const chosen =
      ordered.find((event) => checkAuth(event, state, version, verdicts).allowed) ?? ordered.at(-1)!;
    resolved.set(key, chosen.eventId);
  }
  return resolved;
}

function isAuthPassType(type: string): boolean {
  return type === "m.room.power_levels" || type === "m.room.join_rules" || type === "m.room.member";
}
