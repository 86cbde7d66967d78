/**
 * State resolution v2 (room versions 2–11, content/rooms/fragments/v2-state-res.md) and v2.1 (room
 * version 12, content/rooms/v12.md "State resolution", MSC4297). v2.1 changes two things, both here
 * as a flag: the first iterative auth checks start from an empty state instead of the unconflicted
 * state map, and the full conflicted set also holds the conflicted state subgraph.
 */

import type { SignatureVerdicts } from "../auth/auth-state.js";
import { authEventIds, membershipOf, type Pdu, POWER_LEVELS_KEY, type RoomEvent } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import { authDifference } from "./auth-chain.js";
import { conflictedSubgraph } from "./conflicted-subgraph.js";
import { separateV2 } from "./conflicts.js";
import { iterativeAuthChecks } from "./iterative-auth.js";
import { mainlineOrder } from "./mainline.js";
import { reverseTopologicalPowerOrder } from "./power-order.js";
import type { GetEvent, StateMap } from "./types.js";

/**
 * "A power event is a state event with type m.room.power_levels or m.room.join_rules, or a state
 * event with type m.room.member where the membership is leave or ban and the sender does not match
 * the state_key." Like Synapse and Ruma, the create event counts too and only the empty state key of
 * the first three is meant (other keys carry no power).
 */
export function isPowerEvent(pdu: Pdu): boolean {
  if (pdu.state_key === undefined) return false;
  switch (pdu.type) {
    case "m.room.power_levels":
    case "m.room.join_rules":
    case "m.room.create":
      return pdu.state_key === "";
    case "m.room.member": {
      const membership = membershipOf(pdu);
      return (membership === "leave" || membership === "ban") && pdu.sender !== pdu.state_key;
    }
    default:
      return false;
  }
}

export function resolveV2(
  version: RoomVersion,
  stateSets: readonly StateMap[],
  getEvent: GetEvent,
  verdicts: SignatureVerdicts,
): Map<string, string> {
  const v21 = version.stateResolution === "v2.1";
  const { unconflicted, conflicted } = separateV2(stateSets);
  if (conflicted.size === 0) return unconflicted;

  // The full conflicted set: the conflicted state set, the auth difference, and (v2.1) the conflicted
  // state subgraph. Events the caller could not load are left out.
  const conflictedIds = new Set<string>();
  for (const ids of conflicted.values()) for (const id of ids) conflictedIds.add(id);
  const full = new Set<string>(conflictedIds);
  for (const id of authDifference(stateSets, getEvent)) full.add(id);
  if (v21) for (const id of conflictedSubgraph(conflictedIds, getEvent)) full.add(id);
  const fullEvents: RoomEvent[] = [];
  for (const id of full) {
    const event = getEvent(id);
    if (event && event.pdu.state_key !== undefined) fullEvents.push(event);
    else full.delete(id);
  }

  // 1. The power events of the full conflicted set, with the events of their auth chains that are in
  // the full conflicted set, in reverse topological power ordering. Like Synapse and Ruma, the walk
  // follows auth events only through the full conflicted set.
  const powerIds = new Set<string>();
  const stack: string[] = [];
  for (const event of fullEvents) if (isPowerEvent(event.pdu)) stack.push(event.eventId);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (powerIds.has(id)) continue;
    powerIds.add(id);
    const event = getEvent(id);
    if (!event) continue;
    for (const parent of authEventIds(event.pdu))
      if (full.has(parent) && !powerIds.has(parent)) stack.push(parent);
  }
  const powerOrder = reverseTopologicalPowerOrder(powerIds, getEvent, version);

  // 2. Iterative auth checks from the unconflicted state map (v2) or an empty state (v2.1).
  const partial = iterativeAuthChecks(
    v21 ? new Map() : new Map(unconflicted),
    powerOrder,
    getEvent,
    version,
    verdicts,
  );

  // 3. The other events, in mainline order of the power levels event of the partial state.
  const others = fullEvents.filter((event) => !powerIds.has(event.eventId));
  const otherOrder = mainlineOrder(others, partial.get(POWER_LEVELS_KEY), getEvent);

  // 4. Iterative auth checks on top of the partial state.
  const resolved = iterativeAuthChecks(partial, otherOrder, getEvent, version, verdicts);

  // 5. The unconflicted state map wins over anything the checks put in its keys.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}
